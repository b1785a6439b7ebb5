import { createHash } from 'node:crypto';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { ClaimResult, ReplayStore } from './replay-store.interface.js';
import { ReplayStoreUnavailableError } from './replay-store.interface.js';
import { newClaimToken } from './replay-key.js';

const DONE = 'done';

/** One round trip: read the key, claim it if free, else say who holds it and for how long. */
const CLAIM_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if not value then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, 0}
end
if value == '${DONE}' then return {3, 0} end
return {2, redis.call('PTTL', KEYS[1])}
`;

/** Deletes the claim only while this token still owns it: a late release never frees another's claim. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const CLAIM_SHA = sha1(CLAIM_SCRIPT);
const RELEASE_SHA = sha1(RELEASE_SCRIPT);

export interface RedisReplayStoreOptions {
  /** How long one store call may take before the delivery is refused with 503. Default 1,000 ms. */
  commandTimeoutMs?: number;
}

type RedisClient = Redis | Cluster;

/**
 * Replay store on Redis or Redis Cluster through ioredis. Pass your own client (it is left open on
 * close) or a URL (the store opens and closes its own). Keys are hash-tagged (see replayKey).
 */
export class RedisReplayStore implements ReplayStore {
  private readonly commandTimeoutMs: number;

  constructor(
    private readonly client: RedisClient,
    options: RedisReplayStoreOptions = {},
    private readonly ownsClient = false,
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
  }

  /** Opens a client for `url` (`redis://…`, `rediss://…`) that this store owns and closes. */
  static async fromUrl(
    url: string,
    options: RedisReplayStoreOptions & { redis?: RedisOptions } = {},
  ): Promise<RedisReplayStore> {
    const { Redis } = await import('ioredis');
    const client = new Redis(url, {
      // Fail a call fast during an outage instead of queueing it for minutes: the sender retries.
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      ...options.redis,
    });
    // Keep running while Redis is down; each delivery is refused with 503 meanwhile.
    client.on('error', () => undefined);
    await client.connect().catch(() => undefined);
    return new RedisReplayStore(client, options, true);
  }

  async claim(key: string, leaseMs: number): Promise<ClaimResult> {
    const token = newClaimToken();
    const pending = this.script(CLAIM_SHA, CLAIM_SCRIPT, key, token, String(Math.ceil(leaseMs)));
    let reply: unknown;
    try {
      reply = await this.withTimeout(pending);
    } catch (error) {
      // A claim that lands after we gave up must not block the sender's retry until the lease ends.
      pending
        .then((late) => (Array.isArray(late) && late[0] === 1 ? this.release(key, token) : undefined))
        .catch(() => undefined);
      throw error;
    }
    const [state, ttl] = reply as [number, number];
    if (state === 1) return { state: 'claimed', token };
    if (state === 3) return { state: 'done' };
    return { state: 'in_flight', retryAfterMs: Math.max(ttl, 0) };
  }

  async complete(key: string, ttlMs: number): Promise<void> {
    await this.withTimeout(this.client.set(key, DONE, 'PX', Math.ceil(ttlMs)));
  }

  async release(key: string, token: string): Promise<void> {
    await this.withTimeout(this.script(RELEASE_SHA, RELEASE_SCRIPT, key, token));
  }

  async ping(): Promise<void> {
    await this.withTimeout(this.client.ping());
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** EVALSHA, loading the script on the first NOSCRIPT (after a restart or failover). */
  private async script(sha: string, source: string, key: string, ...args: string[]): Promise<unknown> {
    this.assertConnected();
    try {
      return await this.client.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return this.client.eval(source, 1, key, ...args);
      }
      throw error;
    }
  }

  private assertConnected(): void {
    const status = this.client.status;
    if (status === 'reconnecting' || status === 'end' || status === 'close') {
      throw new ReplayStoreUnavailableError(`Redis is ${status}.`);
    }
  }

  private withTimeout<T>(operation: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new ReplayStoreUnavailableError(`Redis did not answer within ${this.commandTimeoutMs} ms.`)),
        this.commandTimeoutMs,
      );
      operation.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(
            new ReplayStoreUnavailableError(error instanceof Error ? error.message : String(error), {
              cause: error,
            }),
          );
        },
      );
    });
  }
}
