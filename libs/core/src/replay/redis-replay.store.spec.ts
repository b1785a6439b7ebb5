import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { RedisServer } from '../../../../test/support/redis-server.js';
import { replayKey } from './replay-key.js';
import { ReplayStoreUnavailableError } from './replay-store.interface.js';
import { RedisReplayStore } from './redis-replay.store.js';

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
      expect((await store.claim(key, 60_000)).state).toBe('claimed');
      const second = await store.claim(key, 60_000);
      expect(second.state).toBe('in_flight');
      expect(second.state === 'in_flight' && second.retryAfterMs).toBeGreaterThan(50_000);
      await store.complete(key, 300_000);
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
      await store.claim(keys[0]!, 60_000);
      await store.complete(keys[0]!, 60_000);
      await store.claim(keys[1]!, 60_000);
      const results = await Promise.all(keys.map((key) => store.claim(key, 60_000)));
      expect(results[0]).toEqual({ state: 'done' });
      expect(results[1]!.state).toBe('in_flight');
      expect(results.slice(2).every((result) => result.state === 'claimed')).toBe(true);
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
