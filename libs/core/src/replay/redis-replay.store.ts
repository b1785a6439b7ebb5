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
  /**
   * How a delivery is claimed. `auto` (default): `SET key token NX PX lease GET`, one plain command,
   * on Redis ≥ 7; the Lua script on an older server (detected on the first claim). `script`: always
   * the Lua script.
   */
  claimWith?: 'auto' | 'script';
}

type RedisClient = Redis | Cluster;
interface Queued {
  readonly name: string;
  readonly args: string[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Replay store on Redis or Redis Cluster through ioredis. Pass your own client (it is left open on
 * close) or a URL (the store opens and closes its own). Keys are hash-tagged (see replayKey).
 *
 * On a single Redis, the commands issued in one event-loop turn (the claims and completions of
 * every request that arrived together) are written as one pipeline: one write for the app, one read
 * for Redis. Nothing waits for a batch to fill, so each claim is still one round trip; a command
 * alone in its turn goes out as a plain command.
 */
export class RedisReplayStore implements ReplayStore {
  private readonly commandTimeoutMs: number;
  private scriptClaims: boolean;
  private queue: Queued[] = [];

  constructor(
    private readonly client: RedisClient,
    options: RedisReplayStoreOptions = {},
    private readonly ownsClient = false,
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
    this.scriptClaims = options.claimWith === 'script';
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
    this.assertConnected();
    const token = newClaimToken();
    const pending = this.claimOnce(key, token, String(Math.ceil(leaseMs)));
    try {
      return await this.withTimeout(pending);
    } catch (error) {
      // A claim that lands after we gave up must not block the sender's retry until the lease ends.
      pending
        .then((late) => (late.state === 'claimed' ? this.release(key, token) : undefined))
        .catch(() => undefined);
      throw error;
    }
  }

  private async claimOnce(key: string, token: string, leaseMs: string): Promise<ClaimResult> {
    if (!this.scriptClaims) {
      try {
        const previous = await this.send('set', [key, token, 'PX', leaseMs, 'NX', 'GET']);
        if (previous === null) return { state: 'claimed', token };
        if (previous === DONE) return { state: 'done' };
        // Held by another request: how long is only needed for Retry-After, off the hot path. The
        // holder may settle in between; a done record's TTL is not how long a lease has left.
        const ttl = await this.send('pttl', [key]);
        return { state: 'in_flight', retryAfterMs: Math.min(Math.max(Number(ttl), 0), Number(leaseMs)) };
      } catch (error) {
        // Redis < 7 refuses NX together with GET: claim with the script from now on.
        if (!(error instanceof Error && /syntax error/i.test(error.message))) throw error;
        this.scriptClaims = true;
      }
    }
    const [state, ttl] = (await this.script(CLAIM_SHA, CLAIM_SCRIPT, key, token, leaseMs)) as [
      number,
      number,
    ];
    if (state === 1) return { state: 'claimed', token };
    if (state === 3) return { state: 'done' };
    return { state: 'in_flight', retryAfterMs: Math.max(ttl, 0) };
  }

  async complete(key: string, ttlMs: number): Promise<void> {
    this.assertConnected();
    await this.withTimeout(this.send('set', [key, DONE, 'PX', String(Math.ceil(ttlMs))]));
  }

  async release(key: string, token: string): Promise<void> {
    this.assertConnected();
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
    try {
      return await this.send('evalsha', [sha, '1', key, ...args]);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return this.send('eval', [source, '1', key, ...args]);
      }
      throw error;
    }
  }

  /** One command; on a single Redis it joins this event-loop turn's pipeline. */
  private send(name: string, args: string[]): Promise<unknown> {
    // A Cluster pipeline must stay within one node's slots: send each command on its own there.
    if (this.client.isCluster) return this.client.call(name, args);
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(this.flush);
      this.queue.push({ name, args, resolve, reject });
    });
  }

  private readonly flush = (): void => {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 1) {
      // Alone in its turn (a quiet server): a pipeline of one costs ~40,000 instructions more.
      const { name, args, resolve, reject } = batch[0]!;
      this.client.call(name, args).then(resolve, reject);
      return;
    }
    const pipeline = this.client.pipeline();
    for (const { name, args } of batch) pipeline.call(name, args);
    pipeline.exec().then(
      (replies) => {
        batch.forEach((queued, index) => {
          const [error, value] = replies?.[index] ?? [new Error('Redis sent no reply.'), undefined];
          if (error) queued.reject(error);
          else queued.resolve(value);
        });
      },
      (error: unknown) => {
        for (const queued of batch) queued.reject(error);
      },
    );
  };

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
