import { createHash } from 'node:crypto';
/*
 * ioredis is an optional peer: the public declarations must type-check without it installed
 * (`skipLibCheck: false`). So the client is typed structurally, by the part of ioredis's `Redis` and
 * `Cluster` this store uses; an ioredis client of either kind is assignable to it.
 */
/** ioredis's `RedisOptions`: the ones this store reads or sets by name; any other passes through to ioredis. */
interface RedisOptions {
  commandTimeout?: number;
  enableAutoPipelining?: boolean;
  maxRetriesPerRequest?: number | null;
  lazyConnect?: boolean;
  [option: string]: unknown;
}
/** What this store calls on an ioredis `Redis` or `Cluster`. */
interface RedisCommands {
  readonly status: string;
  readonly isCluster: boolean;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
  call(command: string, args: (string | number)[]): Promise<unknown>;
  ping(): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
}
interface Redis extends RedisCommands {
  readonly options: { commandTimeout?: number };
}
interface Cluster extends RedisCommands {
  readonly options: { redisOptions?: { commandTimeout?: number } };
  nodes(role: 'master'): RedisCommands[];
}
import { withDeadline } from '../internal/deadline.js';
import { errorText } from '../internal/error-text.js';
import type { ClaimResult, ReplayStore } from './replay-store.interface.js';
import { ReplayStoreUnavailableError } from './replay-store.interface.js';
import { newClaimToken } from './replay-key.js';

const DONE = 'done';

interface Script {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): Script => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});

/** One round trip: read the key, claim it if free, else say who holds it and for how long. */
const CLAIM = script(`
local value = redis.call('GET', KEYS[1])
if not value then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, 0}
end
if value == '${DONE}' then return {3, 0} end
return {2, redis.call('PTTL', KEYS[1])}
`);

/**
 * Marks done while this token owns the claim, or the key is free (the lease ran out and nobody
 * claimed it since); another request's claim is left alone. 1 only when the token still owned it.
 */
const COMPLETE = script(`
local value = redis.call('GET', KEYS[1])
if value == ARGV[1] or not value then redis.call('SET', KEYS[1], '${DONE}', 'PX', ARGV[2]) end
if value == ARGV[1] then return 1 end
return 0
`);

/** Deletes the claim only while this token still owns it: a late release never frees another's claim. */
const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Extends the lease only while this token still owns it. */
const RENEW = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

const SCRIPTS = [CLAIM, COMPLETE, RELEASE, RENEW];

export interface RedisReplayStoreOptions {
  /**
   * How long one store call may take before the delivery is refused with 503. Default 1,000 ms.
   * `fromUrl` gives it to ioredis as `commandTimeout`; for a client passed in, it applies only when
   * that client has no `commandTimeout` of its own.
   */
  commandTimeoutMs?: number;
  /**
   * How a delivery is claimed. `auto` (default): `SET key token NX PX lease GET`, one plain command,
   * on Redis ≥ 7; the Lua script on an older server (detected on the first claim). `script`: always
   * the Lua script.
   */
  claimWith?: 'auto' | 'script';
}

type RedisClient = Redis | Cluster;

/**
 * Replay store on Redis or Redis Cluster through ioredis. Pass your own client (it is left open on
 * close) or a URL (the store opens and closes its own). Keys are hash-tagged (see replayKey), so
 * each call touches one cluster slot.
 *
 * `fromUrl` sets ioredis's `commandTimeout` and `maxRetriesPerRequest: 1`, so calls fail fast during an
 * outage, and sends each command as it comes. Not auto-pipelining: ioredis holds a command until the
 * connection's previous pipeline has answered, so a claim waited behind the last delivery's
 * completion (measured: 2 awaited round trips per back-to-back delivery, 411 ms against 206 ms with
 * 200 ms of Redis latency). A client you pass in is not changed: give it a `commandTimeout` (on a
 * Cluster, in `redisOptions`) and `maxRetriesPerRequest: 1`.
 */
export class RedisReplayStore implements ReplayStore {
  /** The store's own deadline per call; undefined when the client times its commands itself. */
  private readonly timeoutMs: number | undefined;
  private scriptClaims: boolean;

  constructor(
    private readonly client: RedisClient,
    options: RedisReplayStoreOptions = {},
    private readonly ownsClient = false,
  ) {
    // We do not reconfigure a client passed in; without its own timeout, a hung call would hold its delivery.
    this.timeoutMs = commandTimeoutOf(client) === undefined ? (options.commandTimeoutMs ?? 1_000) : undefined;
    this.scriptClaims = options.claimWith === 'script';
    client.on('ready', this.loadScripts);
    if (client.status === 'ready') this.loadScripts();
  }

  /**
   * SCRIPT LOAD on every (re)connection, so the first EVALSHA after a start or a Redis restart does not
   * answer NOSCRIPT: its fallback EVAL would go out a round trip late, behind the next request's claim,
   * and a copy sent right after a 202 would find its delivery still in flight (409) instead of done.
   */
  private readonly loadScripts = (): void => {
    const nodes = this.client.isCluster ? (this.client as Cluster).nodes('master') : [this.client];
    for (const node of nodes) {
      for (const { source } of SCRIPTS) node.call('script', ['load', source]).catch(() => undefined);
    }
  };

  /** Opens a client for `url` (`redis://…`, `rediss://…`) that this store owns and closes. */
  static async fromUrl(
    url: string,
    options: RedisReplayStoreOptions & { redis?: RedisOptions } = {},
  ): Promise<RedisReplayStore> {
    const { Redis } = await import('ioredis');
    const client = new Redis(url, {
      commandTimeout: options.commandTimeoutMs ?? 1_000,
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
      return await this.answer(pending);
    } catch (error) {
      // A claim that lands after we gave up must not block the sender's retry until the lease ends.
      // When it failed too (ioredis's timeout), it may still run: the release goes out behind it.
      pending.then(
        (late) => (late.state === 'claimed' ? this.releaseLate(key, token) : undefined),
        () => this.releaseLate(key, token),
      );
      throw error;
    }
  }

  private async claimOnce(key: string, token: string, leaseMs: string): Promise<ClaimResult> {
    if (!this.scriptClaims) {
      try {
        const previous = await this.client.call('set', [key, token, 'PX', leaseMs, 'NX', 'GET']);
        if (previous === null) return { state: 'claimed', token };
        if (previous === DONE) return { state: 'done' };
        // Held by another request: how long is only needed for Retry-After, off the hot path. The
        // holder may settle in between; a done record's TTL is not how long a lease has left.
        const ttl = await this.client.call('pttl', [key]);
        return { state: 'in_flight', retryAfterMs: Math.min(Math.max(Number(ttl), 0), Number(leaseMs)) };
      } catch (error) {
        // Redis < 7 refuses NX together with GET: claim with the script from now on.
        if (!(error instanceof Error && /syntax error/i.test(error.message))) throw error;
        this.scriptClaims = true;
      }
    }
    const [state, ttl] = (await this.eval(CLAIM, key, token, leaseMs)) as [number, number];
    if (state === 1) return { state: 'claimed', token };
    if (state === 3) return { state: 'done' };
    return { state: 'in_flight', retryAfterMs: Math.max(ttl, 0) };
  }

  async complete(key: string, token: string, ttlMs: number): Promise<boolean> {
    this.assertConnected();
    return (await this.answer(this.eval(COMPLETE, key, token, String(Math.ceil(ttlMs))))) === 1;
  }

  async release(key: string, token: string): Promise<void> {
    this.assertConnected();
    await this.answer(this.eval(RELEASE, key, token));
  }

  async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    this.assertConnected();
    return (await this.answer(this.eval(RENEW, key, token, String(Math.ceil(leaseMs))))) === 1;
  }

  /**
   * EVAL, not EVALSHA: on a server that lost its scripts, the NOSCRIPT answer could come after the
   * timeout, and the release would never be sent again.
   */
  private releaseLate(key: string, token: string): void {
    this.client.call('eval', [RELEASE.source, '1', key, token]).catch(() => undefined);
  }

  async ping(): Promise<void> {
    await this.answer(this.client.ping());
  }

  async close(): Promise<void> {
    this.client.off('ready', this.loadScripts);
    if (!this.ownsClient) return;
    await closeClient(this.client);
  }

  /** EVALSHA, loading the script on the first NOSCRIPT (after a restart or failover). */
  private async eval({ sha, source }: Script, key: string, ...args: string[]): Promise<unknown> {
    try {
      return await this.client.call('evalsha', [sha, '1', key, ...args]);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return this.client.call('eval', [source, '1', key, ...args]);
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

  /** The operation's answer, any failure as ReplayStoreUnavailableError, within our deadline if we keep one. */
  private async answer<T>(operation: Promise<T>): Promise<T> {
    try {
      return await (this.timeoutMs === undefined
        ? operation
        : withDeadline(
            this.timeoutMs,
            operation,
            () => new ReplayStoreUnavailableError(`Redis did not answer within ${this.timeoutMs} ms.`),
          ));
    } catch (error) {
      if (error instanceof ReplayStoreUnavailableError) throw error;
      throw new ReplayStoreUnavailableError(errorText(error), {
        cause: error,
      });
    }
  }
}

function commandTimeoutOf(client: RedisClient): number | undefined {
  return 'redisOptions' in client.options
    ? client.options.redisOptions?.commandTimeout
    : (client.options as RedisOptions).commandTimeout;
}

/**
 * QUIT when the connection is up; otherwise disconnect at once: a QUIT queued while ioredis is
 * reconnecting waits for a Redis that may never come back, and shutdown would hang on it.
 */
export async function closeClient(client: {
  readonly status: string;
  quit(): Promise<unknown>;
  disconnect(): void;
}) {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await client.quit().catch(() => client.disconnect());
}
