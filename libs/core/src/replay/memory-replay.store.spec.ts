import fc from 'fast-check';
import { MemoryReplayStore } from './memory-replay.store.js';
import type { ClaimResult } from './replay-store.interface.js';

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
    if (first.state !== 'claimed') throw new Error('expected a claim');
    expect(await store.claim('k', 60_000)).toEqual({ state: 'in_flight', retryAfterMs: 60_000 });
    expect(await store.complete('k', first.token, 300_000)).toBe(true);
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
    await claimAndComplete(store, 'a', 5_000);
    await store.claim('b', 1_000);
    now += 4_999;
    expect((await store.claim('a', 1_000)).state).toBe('done');
    now += 2;
    store.sweep();
    expect(store.size).toBe(0);
    expect((await store.claim('a', 1_000)).state).toBe('claimed');
  });

  it('stays within maxEntries by forgetting the oldest first, and reports at most once a second', async () => {
    const onEvict = vi.fn();
    const small = new MemoryReplayStore({ maxEntries: 3, now: clock, onEvict });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await small.claim(key, 60_000);
    expect(small.size).toBe(3);
    expect(onEvict.mock.calls).toEqual([[1]]);
    expect((await small.claim('a', 60_000)).state).toBe('claimed');
    expect((await small.claim('e', 60_000)).state).toBe('in_flight');
    expect(onEvict).toHaveBeenCalledTimes(1);
    await small.close();
  });

  it('reports every eviction storm: the evictions held back are told with the next one a second later', async () => {
    const onEvict = vi.fn();
    const small = new MemoryReplayStore({ maxEntries: 2, now: clock, onEvict });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await small.claim(key, 600_000);
    expect(onEvict.mock.calls).toEqual([[1]]);
    now += 999;
    await small.claim('f', 600_000);
    expect(onEvict).toHaveBeenCalledTimes(1);
    now += 1;
    await small.claim('g', 600_000);
    expect(onEvict.mock.calls).toEqual([[1], [4]]);
    now += 60_000; // a quiet minute, then a second storm
    await small.claim('h', 600_000);
    await small.claim('i', 600_000);
    expect(onEvict.mock.calls).toEqual([[1], [4], [1]]);
    await small.close();
  });

  it('tells the evictions held back from the periodic sweep once the second has passed', async () => {
    const onEvict = vi.fn();
    const small = new MemoryReplayStore({ maxEntries: 1, now: clock, onEvict, sweepIntervalMs: 10 });
    for (const key of ['a', 'b', 'c']) await small.claim(key, 600_000);
    expect(onEvict.mock.calls).toEqual([[1]]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(onEvict).toHaveBeenCalledTimes(1);
    now += 1_000;
    await vi.waitFor(() => expect(onEvict.mock.calls).toEqual([[1], [1]]));
    await small.close();
  });

  it('does not count an expired entry forced out as an eviction', async () => {
    const onEvict = vi.fn();
    const small = new MemoryReplayStore({ maxEntries: 1, now: clock, onEvict });
    await small.claim('a', 10);
    now += 10;
    await small.claim('b', 60_000);
    now += 5_000;
    await small.claim('c', 60_000);
    expect(onEvict.mock.calls).toEqual([[1]]);
    await small.close();
  });

  it('counts a completed delivery as written when it completed, for the eviction order', async () => {
    const small = new MemoryReplayStore({ maxEntries: 3, now: clock });
    // The first eviction sweeps; the next ones, within the same second, go by the write order alone.
    const tokens = new Map<string, string>();
    for (const key of ['a', 'b', 'c', 'd']) tokens.set(key, tokenOf(await small.claim(key, 60_000)));
    await small.complete('b', tokens.get('b')!, 300_000);
    await small.claim('e', 60_000);
    expect((await small.claim('b', 60_000)).state).toBe('done');
    expect((await small.claim('c', 60_000)).state).toBe('claimed');
    await small.close();
  });

  it('keeps an entry written once while another key is written many times', async () => {
    await claimAndComplete(store, 'once', 300_000);
    const often = tokenOf(await store.claim('often', 60_000));
    for (let round = 0; round < 1_000; round++) await store.renew('often', often, 60_000);
    store.sweep();
    expect(await store.claim('once', 60_000)).toEqual({ state: 'done' });
    expect(store.size).toBe(2);
  });

  it.each([0, -1, Number.NaN, 1.5])(
    'refuses maxEntries %s instead of hanging on the first claim',
    (maxEntries) => {
      expect(() => new MemoryReplayStore({ maxEntries })).toThrow(RangeError);
    },
  );

  it('records the claim even when onEvict calls the store or throws', async () => {
    const onEvict = vi.fn(() => {
      void small.claim('called-from-on-evict', 60_000);
      throw new Error('listener failed');
    });
    const small = new MemoryReplayStore({ maxEntries: 2, now: clock, onEvict });
    await small.claim('a', 60_000);
    await small.claim('b', 60_000);
    expect((await small.claim('c', 60_000)).state).toBe('claimed');
    expect(onEvict).toHaveBeenCalledTimes(1);
    expect((await small.claim('c', 60_000)).state).toBe('in_flight');
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

  it('refuses a NaN or non-positive lease or TTL rather than store an entry expired at once', async () => {
    const store = new MemoryReplayStore();
    await expect(store.claim('k', Number.NaN)).rejects.toThrow(RangeError);
    await expect(store.claim('k', 0)).rejects.toThrow(RangeError);
    await expect(store.complete('k', 'token', -5)).rejects.toThrow(RangeError);
    expect(store.size).toBe(0);
    const token = tokenOf(await store.claim('k', 1_000));
    await expect(store.renew('k', token, Number.NaN)).rejects.toThrow(RangeError);
    await expect(store.complete('k', token, Number.NaN)).rejects.toThrow(RangeError);
    expect(await store.claim('k', 1_000)).toMatchObject({ state: 'in_flight' });
    await store.close();
  });

  it('completes a lost lease that ran out (nobody claimed it since), and says it was lost', async () => {
    const token = tokenOf(await store.claim('k', 1_000));
    now += 1_000;
    expect(await store.complete('k', token, 300_000)).toBe(false);
    expect(await store.claim('k', 1_000)).toEqual({ state: 'done' });
  });

  it("writes nothing for a lease lost to another request's claim", async () => {
    const first = tokenOf(await store.claim('k', 1_000));
    now += 1_000;
    const second = tokenOf(await store.claim('k', 60_000));
    expect(await store.complete('k', first, 300_000)).toBe(false);
    expect(await store.claim('k', 60_000)).toEqual({ state: 'in_flight', retryAfterMs: 60_000 });
    expect(await store.complete('k', second, 300_000)).toBe(true);
    expect(await store.complete('k', second, 300_000)).toBe(false);
    expect(await store.claim('k', 60_000)).toEqual({ state: 'done' });
  });

  it('renews a lease only for the token that owns it', async () => {
    const token = tokenOf(await store.claim('k', 1_000));
    now += 900;
    expect(await store.renew('k', 'someone-else', 5_000)).toBe(false);
    expect(await store.claim('k', 1_000)).toEqual({ state: 'in_flight', retryAfterMs: 100 });
    expect(await store.renew('k', token, 5_000)).toBe(true);
    now += 4_999;
    expect(await store.claim('k', 1_000)).toEqual({ state: 'in_flight', retryAfterMs: 1 });
    now += 1;
    expect(await store.renew('k', token, 5_000)).toBe(false);
    expect((await store.claim('k', 1_000)).state).toBe('claimed');
    expect(await store.renew('k', token, 5_000)).toBe(false);
  });

  it('gives exactly one claim to many concurrent callers', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store.claim('same', 60_000)));
    expect(results.filter((result) => result.state === 'claimed')).toHaveLength(1);
  });
});

function tokenOf(result: ClaimResult): string {
  if (result.state !== 'claimed') throw new Error(`expected a claim, got ${result.state}`);
  return result.token;
}

async function claimAndComplete(store: MemoryReplayStore, key: string, ttlMs: number): Promise<void> {
  expect(await store.complete(key, tokenOf(await store.claim(key, 1_000)), ttlMs)).toBe(true);
}

/** The store's rules without a cap, in a Map: what every answer must agree with. */
class ReferenceStore {
  readonly entries = new Map<string, { expiresAt: number; counter: number }>();

  answer(key: string, now: number) {
    const entry = this.live(key, now);
    if (!entry) return undefined;
    return entry.counter > 0
      ? { state: 'in_flight' as const, retryAfterMs: entry.expiresAt - now }
      : { state: 'done' as const };
  }

  live(key: string, now: number) {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry : undefined;
  }
}

type Operation =
  | { op: 'claim'; key: number; ms: number }
  | { op: 'complete' | 'renew'; key: number; ms: number; own: boolean }
  | { op: 'release'; key: number; own: boolean }
  | { op: 'wait'; ms: number }
  | { op: 'sweep' };

const operation = (keys: number): fc.Arbitrary<Operation> =>
  fc.oneof(
    fc.record({
      op: fc.constant('claim' as const),
      key: fc.nat(keys - 1),
      ms: fc.integer({ min: 1, max: 5_000 }),
    }),
    fc.record({
      op: fc.constantFrom('complete' as const, 'renew' as const),
      key: fc.nat(keys - 1),
      ms: fc.integer({ min: 1, max: 5_000 }),
      own: fc.boolean(),
    }),
    fc.record({ op: fc.constant('release' as const), key: fc.nat(keys - 1), own: fc.boolean() }),
    fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3_000 }) }),
    fc.constant({ op: 'sweep' as const }),
  );

/**
 * Runs the operations on a store and on the reference. A capped store may have forgotten a key
 * (eviction): it may then claim what the reference holds, find a lease lost that the reference
 * still holds, and mark done a key it forgot (so answer "done" until that TTL ends); it never
 * answers "in flight" for anything the reference would not answer the same way.
 */
async function agreesWithReference(
  operations: Operation[],
  { maxEntries, mayForget }: { maxEntries: number; mayForget: boolean },
): Promise<void> {
  let now = 0;
  const store = new MemoryReplayStore({ maxEntries, now: () => now });
  const reference = new ReferenceStore();
  const tokens = new Map<string, { token: string; counter: number }>();
  /** Until when a forgetful store may answer "done": any complete may have found the key free. */
  const mayBeDoneUntil = new Map<string, number>();
  let counter = 0;
  try {
    for (const step of operations) {
      if (step.op === 'wait') now += step.ms;
      else if (step.op === 'sweep') store.sweep();
      else {
        const key = `vw:{key-${step.key}}`;
        const owned = step.op === 'claim' ? undefined : tokens.get(key);
        const token = step.op !== 'claim' && step.own && owned ? owned.token : 'not-a-token';
        const entry = reference.live(key, now);
        const owns =
          entry !== undefined &&
          entry.counter > 0 &&
          token === owned?.token &&
          entry.counter === owned.counter;
        if (step.op === 'claim') {
          const result = await store.claim(key, step.ms);
          const expected = reference.answer(key, now);
          if (result.state === 'claimed') {
            if (expected && !mayForget) throw new Error(`claimed ${key}, expected ${expected.state}`);
            counter++;
            reference.entries.set(key, { expiresAt: now + step.ms, counter });
            tokens.set(key, { token: result.token, counter });
          } else if (!(mayForget && result.state === 'done' && now < (mayBeDoneUntil.get(key) ?? 0))) {
            expect(result).toEqual(expected);
          }
        } else if (step.op === 'release') {
          await store.release(key, token);
          if (owns) reference.entries.delete(key);
        } else {
          const result = await (step.op === 'complete' ? store.complete : store.renew).call(
            store,
            key,
            token,
            step.ms,
          );
          // A forgetful store may have lost a lease the reference holds, never the other way round.
          if (mayForget ? result && !owns : result !== owns)
            throw new Error(`${step.op} ${key} answered ${result}`);
          if (step.op === 'renew') {
            if (owns) reference.entries.set(key, { expiresAt: now + step.ms, counter: entry.counter });
          } else {
            if (owns || !entry) reference.entries.set(key, { expiresAt: now + step.ms, counter: 0 });
            mayBeDoneUntil.set(key, Math.max(mayBeDoneUntil.get(key) ?? 0, now + step.ms));
          }
        }
      }
      expect(store.size).toBeLessThanOrEqual(maxEntries);
    }
  } finally {
    await store.close();
  }
}

describe('MemoryReplayStore against a reference', () => {
  it('answers every claim as an uncapped Map would, through claims, completions, renewals and sweeps', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation(40), { maxLength: 400 }), (operations) =>
        agreesWithReference(operations, { maxEntries: 1_000, mayForget: false }),
      ),
      { numRuns: 200 },
    );
  });

  it('when capped, stays within its bound and never answers a duplicate the reference would not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation(30), { maxLength: 400 }), (operations) =>
        agreesWithReference(operations, { maxEntries: 5, mayForget: true }),
      ),
      { numRuns: 200 },
    );
  });

  it('holds 100,000 deliveries, each answered done, then forgets them all when they expire', async () => {
    let now = 0;
    const store = new MemoryReplayStore({ now: () => now });
    for (let index = 0; index < 100_000; index++) await claimAndComplete(store, `vw:{${index}}`, 300_000);
    expect(store.size).toBe(100_000);
    for (let index = 0; index < 100_000; index += 997) {
      expect(await store.claim(`vw:{${index}}`, 60_000)).toEqual({ state: 'done' });
    }
    now += 300_000;
    store.sweep();
    expect(store.size).toBe(0);
    expect((await store.claim('vw:{0}', 60_000)).state).toBe('claimed');
    await store.close();
  });
});
