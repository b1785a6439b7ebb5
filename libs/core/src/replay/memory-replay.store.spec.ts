import { MemoryReplayStore } from './memory-replay.store.js';

describe('MemoryReplayStore', () => {
  let now = 1_000_000;
  const clock = () => now;
  let store: MemoryReplayStore;

  beforeEach(() => {
    now = 1_000_000;
    store = new MemoryReplayStore({ now: clock });
  });
  afterEach(() => store.close());

  it('claims a new key, reports it in flight, then done once completed', async () => {
    const first = await store.claim('k', 60_000);
    expect(first.state).toBe('claimed');
    expect(await store.claim('k', 60_000)).toEqual({ state: 'in_flight', retryAfterMs: 60_000 });
    await store.complete('k', 300_000);
    expect(await store.claim('k', 60_000)).toEqual({ state: 'done' });
  });

  it('frees a released claim for the retry, but only for the token that owns it', async () => {
    const first = await store.claim('k', 60_000);
    if (first.state !== 'claimed') throw new Error('expected a claim');
    await store.release('k', 'someone-else');
    expect((await store.claim('k', 60_000)).state).toBe('in_flight');
    await store.release('k', first.token);
    expect((await store.claim('k', 60_000)).state).toBe('claimed');
  });

  it('a late release does not delete a newer claim', async () => {
    const first = await store.claim('k', 1_000);
    if (first.state !== 'claimed') throw new Error('expected a claim');
    now += 1_001; // the lease ran out (the first process died or stalled)
    const second = await store.claim('k', 1_000);
    expect(second.state).toBe('claimed');
    await store.release('k', first.token);
    expect((await store.claim('k', 1_000)).state).toBe('in_flight');
  });

  it('forgets a delivery when its TTL runs out, and sweeps expired entries', async () => {
    await store.claim('a', 1_000);
    await store.complete('a', 5_000);
    await store.claim('b', 1_000);
    now += 4_999;
    expect((await store.claim('a', 1_000)).state).toBe('done');
    now += 2;
    store.sweep();
    expect(store.size).toBe(0);
    expect((await store.claim('a', 1_000)).state).toBe('claimed');
  });

  it('stays within maxEntries by forgetting the oldest first, and reports it once', async () => {
    const onEvict = vi.fn();
    const small = new MemoryReplayStore({ maxEntries: 3, now: clock, onEvict });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await small.claim(key, 60_000);
    expect(small.size).toBe(3);
    expect((await small.claim('a', 60_000)).state).toBe('claimed');
    expect((await small.claim('e', 60_000)).state).toBe('in_flight');
    expect(onEvict).toHaveBeenCalledTimes(1);
    await small.close();
  });

  it('when full, rescans for expired entries at most once a second, not on every claim', async () => {
    const full = new MemoryReplayStore({ maxEntries: 3, now: clock });
    const sweep = vi.spyOn(full, 'sweep');
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) await full.claim(key, 60_000);
    expect(sweep).toHaveBeenCalledTimes(1);
    now += 1_000;
    await full.claim('g', 60_000);
    expect(sweep).toHaveBeenCalledTimes(2);
    expect(full.size).toBe(3);
    await full.close();
  });

  it('gives exactly one claim to many concurrent callers', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store.claim('same', 60_000)));
    expect(results.filter((result) => result.state === 'claimed')).toHaveLength(1);
  });
});
