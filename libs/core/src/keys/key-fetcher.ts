import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import type { KeyUrlPolicy } from './key-url-policy.js';

export interface KeyFetcherOptions {
  /** Give up on a fetch after this long (connect, TLS, headers and body together). Default 5 s. */
  readonly timeoutMs?: number;
  /** Refuse a response larger than this. Default 64 KiB (an SNS certificate or a JWKS is ~2–10 KiB). */
  readonly maxBytes?: number;
  /** How long a key set is kept when the response says nothing (`Cache-Control: max-age`). Default 1 hour. */
  readonly defaultTtlMs?: number;
  /** Bounds on a `max-age` the response gives: at least 1 minute, at most 24 hours by default. */
  readonly minTtlMs?: number;
  readonly maxTtlMs?: number;
  /**
   * At most this many fetches that miss the cache per minute, per URL policy (provider). A forger
   * who knows an allowed SNS topic can name any well-formed certificate URL; this caps what such
   * requests make us fetch from AWS, and a separate budget per policy keeps them from starving the
   * Google or Microsoft key fetches. Beyond it a delivery is refused with 503 (the sender retries).
   * Default 30.
   */
  readonly maxFetchesPerMinute?: number;
  /** Cached URLs at most (least recently stored dropped first). Default 100. */
  readonly maxEntries?: number;
  readonly clock?: () => number;
  /**
   * TESTS ONLY. Connects every allowed request to this local server instead of the host's address,
   * trusting `ca` for it. The URL rules are not widened: the URL must still pass the provider's
   * policy, and TLS still checks the certificate against the URL's host name, so tests exercise the
   * production allow-list. Refused when `NODE_ENV` is `production`, and also unless `NODE_ENV` is
   * `test` or `VITEST` is set, so a stray option cannot reroute key fetches in a deployment that
   * leaves `NODE_ENV` unset.
   */
  readonly unsafeTestRoute?: { readonly host: string; readonly port: number; readonly ca: string | Buffer };
}

interface Entry<T> {
  readonly value: T;
  readonly storedAt: number;
  readonly expiresAt: number;
}

/** What a fetch returned: the body and how long it may be cached. */
export interface FetchedBody {
  readonly body: Buffer;
  readonly ttlMs: number;
}

/**
 * Fetches provider keys over https only, from URLs a `KeyUrlPolicy` allows, never following a
 * redirect, within a size and a time limit; caches the parsed result until it expires and shares
 * one fetch between concurrent requests for a URL (docs/architecture.md, "Keys that are fetched").
 * Uses `node:https`: no HTTP library is needed for a GET.
 */
export class KeyFetcher {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly defaultTtlMs: number;
  private readonly minTtlMs: number;
  private readonly maxTtlMs: number;
  private readonly maxFetchesPerMinute: number;
  private readonly maxEntries: number;
  private readonly clock: () => number;
  private readonly route: KeyFetcherOptions['unsafeTestRoute'];
  private readonly cache = new Map<string, Entry<unknown>>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** A fetch that failed, kept `minTtlMs` so one bad URL is not fetched again on every delivery. */
  private readonly failures = new Map<
    string,
    { readonly error: WebhookVerificationError; readonly until: number }
  >();
  private readonly fetchTimes = new Map<KeyUrlPolicy, number[]>();

  constructor(options: KeyFetcherOptions = {}) {
    this.timeoutMs = positive('timeoutMs', options.timeoutMs, 5_000);
    this.maxBytes = positive('maxBytes', options.maxBytes, 64 * 1024);
    this.defaultTtlMs = positive('defaultTtlMs', options.defaultTtlMs, 60 * 60_000);
    this.minTtlMs = positive('minTtlMs', options.minTtlMs, 60_000);
    this.maxTtlMs = positive('maxTtlMs', options.maxTtlMs, 24 * 60 * 60_000);
    this.maxFetchesPerMinute = positive('maxFetchesPerMinute', options.maxFetchesPerMinute, 30);
    this.maxEntries = positive('maxEntries', options.maxEntries, 100);
    this.clock = options.clock ?? Date.now;
    if (options.unsafeTestRoute && !testEnvironment()) {
      throw new Error(
        'KeyFetcher: unsafeTestRoute is for tests: refused when NODE_ENV=production, and unless NODE_ENV=test or under vitest.',
      );
    }
    this.route = options.unsafeTestRoute;
  }

  /**
   * The parsed content of an allowed URL, from the cache while it is fresh. `parse` turns the body
   * into key material and throws when it is not. A failed fetch or parse is remembered for
   * `minTtlMs` and answered from memory (no refetch); a refusal by the fetch budget is not.
   * `refresh` skips a cached entry older than `refresh.olderThanMs` (a key id the cached set does
   * not have: keys rotated). Cached by origin and path: `…pem?` and `…pem#` are the same URL.
   */
  async cached<T>(
    url: URL,
    policy: KeyUrlPolicy,
    parse: (body: Buffer) => T,
    refresh?: { readonly olderThanMs: number },
  ): Promise<T> {
    const key = `${url.origin}${url.pathname}${url.search}`;
    const now = this.clock();
    const entry = this.cache.get(key) as Entry<T> | undefined;
    const fresh =
      entry !== undefined &&
      entry.expiresAt > now &&
      (refresh === undefined || now - entry.storedAt < refresh.olderThanMs);
    if (fresh) return entry.value;
    const failed = this.failures.get(key);
    if (failed !== undefined && failed.until > now) throw copyOf(failed.error);
    const pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    // Failures are normalized inside the shared promise, so concurrent callers see the same 503.
    const fetching = this.get(url, policy)
      .then(({ body, ttlMs }) => {
        const value = parse(body);
        const storedAt = this.clock();
        this.cache.delete(key);
        if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(key, { value, storedAt, expiresAt: storedAt + ttlMs });
        this.failures.delete(key);
        return value;
      })
      .catch((error: unknown) => {
        throw this.remembered(key, policy, error);
      });
    this.inFlight.set(key, fetching);
    try {
      return await fetching;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** The failure as `key_fetch_failed`, remembered `minTtlMs` unless the budget refused it (nothing was fetched). */
  private remembered(key: string, policy: KeyUrlPolicy, error: unknown): WebhookVerificationError {
    const failure =
      error instanceof WebhookVerificationError
        ? error
        : new WebhookVerificationError('key_fetch_failed', `The ${policy.name} could not be read.`, {
            cause: error,
          });
    if (!(failure.cause instanceof FetchBudgetExceeded)) {
      this.failures.delete(key);
      if (this.failures.size >= this.maxEntries) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(key, { error: failure, until: this.clock() + this.minTtlMs });
    }
    return failure;
  }

  /**
   * One GET of an allowed URL, not cached (an SNS SubscribeURL). Rejects with `key_fetch_failed`
   * (503) whose message names no upstream detail (it is answered to the sender); the cause carries
   * it for the log, an `UpstreamStatusError` when the host answered a status other than 200.
   */
  async get(url: URL, policy: KeyUrlPolicy): Promise<FetchedBody> {
    // Checked again here, whatever the caller checked: nothing reaches the network unless allowed.
    if (!policy.allows(url)) {
      throw new WebhookVerificationError('key_fetch_failed', `The URL is not an allowed ${policy.name} URL.`);
    }
    this.takeFetchSlot(policy);
    try {
      return await this.request(url);
    } catch (error) {
      throw new WebhookVerificationError('key_fetch_failed', `The ${policy.name} could not be fetched.`, {
        cause: error,
      });
    }
  }

  /** Forgets every cached key set and remembered failure (tests; a rotation you know of). */
  clear(): void {
    this.cache.clear();
    this.failures.clear();
  }

  private takeFetchSlot(policy: KeyUrlPolicy): void {
    const now = this.clock();
    const times = (this.fetchTimes.get(policy) ?? []).filter((at) => now - at < 60_000);
    this.fetchTimes.set(policy, times);
    if (times.length >= this.maxFetchesPerMinute) {
      throw new WebhookVerificationError(
        'key_fetch_failed',
        `Too many ${policy.name} fetches this minute (at most ${this.maxFetchesPerMinute}); try again later.`,
        { retryAfterMs: 60_000, cause: new FetchBudgetExceeded() },
      );
    }
    times.push(now);
  }

  private request(url: URL): Promise<FetchedBody> {
    const route = this.route;
    return new Promise<FetchedBody>((resolve, reject) => {
      const request = https.request(
        {
          method: 'GET',
          protocol: 'https:',
          host: route?.host ?? url.hostname,
          port: route?.port ?? 443,
          path: `${url.pathname}${url.search}`,
          // TLS checks the certificate against the URL's host, also when a test routes elsewhere.
          servername: url.hostname,
          headers: { host: url.host, accept: '*/*', 'accept-encoding': 'identity' },
          ...(route ? { ca: route.ca } : {}),
          agent: false,
          timeout: this.timeoutMs,
        },
        (response) => this.read(response, resolve, reject),
      );
      // One deadline for the whole exchange, not only idle time between packets.
      const deadline = setTimeout(
        () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      deadline.unref();
      request.on('close', () => clearTimeout(deadline));
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      request.on('error', reject);
      request.end();
    });
  }

  private read(
    response: IncomingMessage,
    resolve: (body: FetchedBody) => void,
    reject: (error: Error) => void,
  ): void {
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      // A redirect is refused like any other status: its Location is never followed.
      response.destroy();
      reject(new UpstreamStatusError(status));
      return;
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      response.destroy();
      reject(new Error(`the response declares ${declared} bytes, over the ${this.maxBytes}-byte limit`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.maxBytes) {
        // Settled first, so the abort that destroy() causes cannot report another reason.
        reject(new Error(`the response is over the ${this.maxBytes}-byte limit`));
        response.destroy();
        return;
      }
      chunks.push(chunk);
    });
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('the response was cut off')));
    response.on('end', () => {
      if (size > this.maxBytes) return;
      resolve({ body: Buffer.concat(chunks), ttlMs: this.ttlOf(response.headers['cache-control']) });
    });
  }

  /** `Cache-Control: max-age=N` within the bounds; `no-store`/`no-cache` keep it the minimum. */
  private ttlOf(cacheControl: string | undefined): number {
    if (cacheControl === undefined) return this.defaultTtlMs;
    if (/(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|$)/i.test(cacheControl)) return this.minTtlMs;
    const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(?:,|$)/i.exec(cacheControl);
    if (!maxAge) return this.defaultTtlMs;
    return Math.min(this.maxTtlMs, Math.max(this.minTtlMs, Number(maxAge[1]) * 1000));
  }
}

/** The key host answered a status other than 200 (a redirect too: its Location is never followed). */
export class UpstreamStatusError extends Error {
  override readonly name = 'UpstreamStatusError';
  constructor(readonly status: number) {
    super(`status ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`);
  }
}

/** The cause of a refusal by the per-policy fetch budget: nothing was fetched, so nothing is remembered. */
class FetchBudgetExceeded extends Error {
  constructor() {
    super('the fetch budget for this minute is spent');
  }
}

/** The remembered failure again, as a fresh error (a stack of its own) with the same reason and cause. */
function copyOf(error: WebhookVerificationError): WebhookVerificationError {
  return new WebhookVerificationError(error.reason, error.message, {
    cause: error.cause,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}

/**
 * A test run: vitest sets `VITEST` (and `NODE_ENV=test` when unset). Production never is, whatever
 * else is set, so a leaked `VITEST` cannot enable the route in a deployment.
 */
function testEnvironment(): boolean {
  const env = process.env.NODE_ENV;
  return env !== 'production' && (env === 'test' || process.env.VITEST !== undefined);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`KeyFetcher: ${name} must be a positive number.`);
  return value;
}

let shared: KeyFetcher | undefined;

/** The fetcher every preset uses unless given one: one cache per process. */
export function defaultKeyFetcher(): KeyFetcher {
  return (shared ??= new KeyFetcher());
}
