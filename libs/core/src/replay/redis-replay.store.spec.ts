import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { RedisServer } from '../../../../test/support/redis-server.js';
import { replayKey } from './replay-key.js';
import type { ClaimResult } from './replay-store.interface.js';
import { ReplayStoreUnavailableError } from './replay-store.interface.js';
import { RedisReplayStore } from './redis-replay.store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tokenOf(result: ClaimResult): string {
  if (result.state !== 'claimed') throw new Error(`expected a claim, got ${result.state}`);
  return result.token;
}

const uniqueKey = () => replayKey({ endpoint: 'spec', replayId: `id:${Math.random()}` });

describe.each(['auto', 'script'] as const)(
  'RedisReplayStore, claimWith %s (real redis-server)',
  (claimWith) => {
    let client: Redis;
    let store: RedisReplayStore;

    beforeAll(() => {
      client = new Redis(inject('redisUrl'));
      store = new RedisReplayStore(client, { claimWith });
    });
    afterAll(async () => {
      await store.close();
      await client.quit();
    });

    it('claims, reports in flight with the remaining lease, then done', async () => {
      const key = uniqueKey();
      const token = tokenOf(await store.claim(key, 60_000));
      const second = await store.claim(key, 60_000);
      expect(second.state).toBe('in_flight');
      expect(second.state === 'in_flight' && second.retryAfterMs).toBeGreaterThan(50_000);
      expect(await store.complete(key, token, 300_000)).toBe(true);
      expect(await store.claim(key, 60_000)).toEqual({ state: 'done' });
      expect(await client.pttl(key)).toBeGreaterThan(290_000);
    });

    it('sets the lease as the key TTL, so a crashed claim frees itself', async () => {
      const key = uniqueKey();
      await store.claim(key, 200);
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(200);
    });

    it('releases only with the owning token', async () => {
      const key = uniqueKey();
      const first = await store.claim(key, 60_000);
      if (first.state !== 'claimed') throw new Error('expected a claim');
      await store.release(key, 'not-the-token');
      expect((await store.claim(key, 60_000)).state).toBe('in_flight');
      await store.release(key, first.token);
      expect((await store.claim(key, 60_000)).state).toBe('claimed');
    });

    it('gives exactly one claim to 50 concurrent callers on separate connections', async () => {
      const key = uniqueKey();
      const clients = Array.from({ length: 5 }, () => new Redis(inject('redisUrl')));
      const stores = clients.map((c) => new RedisReplayStore(c, { claimWith }));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stores[i % 5]!.claim(key, 60_000)),
      );
      expect(results.filter((result) => result.state === 'claimed')).toHaveLength(1);
      await Promise.all(clients.map((c) => c.quit()));
    });

    it('reloads its scripts after SCRIPT FLUSH (restart or failover)', async () => {
      await client.script('FLUSH');
      const key = uniqueKey();
      const claimed = await store.claim(key, 60_000);
      if (claimed.state !== 'claimed') throw new Error('expected a claim');
      await client.script('FLUSH');
      await store.release(key, claimed.token);
      expect(await client.exists(key)).toBe(0);
    });

    it('settles many deliveries claimed in the same turn, each with its own answer', async () => {
      const keys = Array.from({ length: 40 }, uniqueKey);
      await store.complete(keys[0]!, tokenOf(await store.claim(keys[0]!, 60_000)), 60_000);
      await store.claim(keys[1]!, 60_000);
      const results = await Promise.all(keys.map((key) => store.claim(key, 60_000)));
      expect(results[0]).toEqual({ state: 'done' });
      expect(results[1]!.state).toBe('in_flight');
      expect(results.slice(2).every((result) => result.state === 'claimed')).toBe(true);
    });

    it('completes a lease that ran out, and says it was lost', async () => {
      const key = uniqueKey();
      const token = tokenOf(await store.claim(key, 50));
      await sleep(80);
      expect(await store.complete(key, token, 300_000)).toBe(false);
      expect(await store.claim(key, 60_000)).toEqual({ state: 'done' });
      expect(await client.pttl(key)).toBeGreaterThan(290_000);
    });

    it("never overwrites another request's claim when completing a lost lease", async () => {
      const key = uniqueKey();
      const first = tokenOf(await store.claim(key, 50));
      await sleep(80);
      const second = tokenOf(await store.claim(key, 60_000));
      expect(await store.complete(key, first, 300_000)).toBe(false);
      expect(await client.get(key)).toBe(second);
      expect(await store.complete(key, second, 300_000)).toBe(true);
      expect(await store.complete(key, second, 300_000)).toBe(false);
      expect(await client.get(key)).toBe('done');
    });

    it('renews a lease only for the token that owns it', async () => {
      const key = uniqueKey();
      const token = tokenOf(await store.claim(key, 1_000));
      expect(await store.renew(key, 'not-the-token', 60_000)).toBe(false);
      expect(await client.pttl(key)).toBeLessThanOrEqual(1_000);
      expect(await store.renew(key, token, 60_000)).toBe(true);
      expect(await client.pttl(key)).toBeGreaterThan(50_000);
      await store.complete(key, token, 300_000);
      expect(await store.renew(key, token, 60_000)).toBe(false);
      expect(await client.pttl(key)).toBeGreaterThan(290_000);
    });

    it('reloads its complete and renew scripts after SCRIPT FLUSH', async () => {
      const key = uniqueKey();
      const token = tokenOf(await store.claim(key, 1_000));
      await client.script('FLUSH');
      expect(await store.renew(key, token, 60_000)).toBe(true);
      await client.script('FLUSH');
      expect(await store.complete(key, token, 60_000)).toBe(true);
    });

    it('opens its own client with a command timeout, sending each command as it comes', async () => {
      const owned = await RedisReplayStore.fromUrl(inject('redisUrl'), { commandTimeoutMs: 750, claimWith });
      const ownClient = owned['client'] as Redis;
      expect(ownClient.options).toMatchObject({ commandTimeout: 750, maxRetriesPerRequest: 1 });
      // No auto-pipelining: a claim never waits behind another request's pipeline.
      expect(ownClient.options.enableAutoPipelining).toBe(false);
      const claims = Array.from({ length: 20 }, uniqueKey).map((key) => owned.claim(key, 60_000));
      expect(ownClient.autoPipelineQueueSize).toBe(0);
      expect((await Promise.all(claims)).every((result) => result.state === 'claimed')).toBe(true);
      await owned.close();
    });

    it.each([
      [
        'ioredis commandTimeout (fromUrl)',
        (url: string) => RedisReplayStore.fromUrl(url, { commandTimeoutMs: 200, claimWith }),
      ],
      [
        'the store deadline (a passed-in client without one)',
        (url: string) =>
          Promise.resolve(new RedisReplayStore(new Redis(url), { commandTimeoutMs: 200, claimWith }, true)),
      ],
    ])(
      'answers ReplayStoreUnavailableError when Redis does not answer in time (%s), and releases the late claim',
      async (_, open) => {
        const server = await RedisServer.start();
        const admin = new Redis(server.url);
        const timed = await open(server.url);
        await timed.ping();
        const key = uniqueKey();
        await admin.call('client', ['pause', '600', 'ALL']);
        await expect(timed.claim(key, 60_000)).rejects.toBeInstanceOf(ReplayStoreUnavailableError);
        await expect(timed.renew(key, 'token', 60_000)).rejects.toBeInstanceOf(ReplayStoreUnavailableError);
        await sleep(800);
        // Redis answers again: the claim it ran late has been released behind it.
        expect(await admin.exists(key)).toBe(0);
        expect((await timed.claim(key, 60_000)).state).toBe('claimed');
        await timed.close();
        await admin.quit();
        await server.dispose();
      },
    );

    it('loads its scripts on connecting and again after a Redis restart, before any delivery needs them', async () => {
      const server = await RedisServer.start();
      const own = await RedisReplayStore.fromUrl(server.url, { claimWith });
      // A completion that fell back from NOSCRIPT to EVAL would land after the next request's claim.
      const loaded = async () => {
        const client = new Redis(server.url);
        const info = await client.info('memory');
        client.disconnect();
        return Number(/number_of_cached_scripts:(\d+)/.exec(info)?.[1] ?? 0);
      };
      await vi.waitFor(async () => expect(await loaded()).toBe(4));
      await server.stop();
      await server.launch();
      await vi.waitFor(async () => expect(await loaded()).toBe(4), { timeout: 5_000 });
      await own.close();
      await server.dispose();
    });

    it('uses hash-tagged, bounded keys', () => {
      const key = replayKey({ endpoint: 'stripe', tenant: 'acme', replayId: 'id:' + 'x'.repeat(10_000) });
      expect(key).toMatch(/^vw:\{[A-Za-z0-9_-]{43}\}$/);
      expect(replayKey({ endpoint: 'stripe', tenant: 'globex', replayId: 'id:1' })).not.toBe(
        replayKey({ endpoint: 'stripe', tenant: 'acme', replayId: 'id:1' }),
      );
    });

    it('closes only a connection it opened itself', async () => {
      const borrowed = new Redis(inject('redisUrl'));
      await new RedisReplayStore(borrowed).close();
      expect(await borrowed.ping()).toBe('PONG');
      await borrowed.quit();
      const owned = await RedisReplayStore.fromUrl(inject('redisUrl'));
      await owned.ping();
      await owned.close();
      await expect(owned.ping()).rejects.toBeInstanceOf(ReplayStoreUnavailableError);
    });

    it('fails fast with ReplayStoreUnavailableError while Redis is down, and recovers', async () => {
      const server = await RedisServer.start();
      const own = await RedisReplayStore.fromUrl(server.url, { commandTimeoutMs: 500, claimWith });
      expect((await own.claim(uniqueKey(), 60_000)).state).toBe('claimed');
      await server.stop();
      await expect(own.claim(uniqueKey(), 60_000)).rejects.toBeInstanceOf(ReplayStoreUnavailableError);
      await server.launch();
      await vi.waitFor(async () => expect((await own.claim(uniqueKey(), 60_000)).state).toBe('claimed'), {
        timeout: 10_000,
        interval: 100,
      });
      await own.close();
      await server.dispose();
    });
  },
);
