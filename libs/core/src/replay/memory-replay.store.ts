import type { ClaimResult, ReplayStore } from './replay-store.interface.js';
import { newClaimToken } from './replay-key.js';

export interface MemoryReplayStoreOptions {
  /** Upper bound on remembered deliveries. Default 100,000 (tens of MB at most). */
  maxEntries?: number;
  /** How often expired entries are swept. Default 30 s. */
  sweepIntervalMs?: number;
  /** Injectable clock for tests. */
  now?: () => number;
  /** Called once when the cap first forces out an unexpired entry. */
  onEvict?: (evicted: number) => void;
}

const FULL_SWEEP_INTERVAL_MS = 1_000;

/**
 * The embedded default: one process, no dependencies. Bounded in memory: when full, the oldest
 * entries are forgotten first (size `maxEntries` above your peak deliveries per replay window).
 * Use RedisReplayStore as soon as two processes serve the same endpoint.
 *
 * Each delivery costs its key and two numbers (its expiry in ms since the store was created, and a
 * claim counter while in flight) in two maps: no object per entry, so tens of thousands of entries do
 * not weigh on every garbage collection.
 */
export class MemoryReplayStore implements ReplayStore {
  /** Key → expiry (ms since `epoch`), oldest first: the eviction order. */
  private readonly expiries = new Map<string, number>();
  /** Key → claim counter, while a claim is in flight; a key with an expiry but no claim is done. */
  private readonly claims = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly epoch: number;
  private readonly timer: NodeJS.Timeout;
  private claimCounter = 0;
  private evictionReported = false;
  /** When the last full sweep ran, in ms since `epoch` like the expiries. */
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: MemoryReplayStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
    this.epoch = this.now();
    this.timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.timer.unref();
  }

  get size(): number {
    return this.expiries.size;
  }

  claim(key: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.elapsed();
    const expiresAt = this.liveExpiry(key, now);
    if (expiresAt !== undefined) {
      return Promise.resolve(
        this.claims.has(key) ? { state: 'in_flight', retryAfterMs: expiresAt - now } : { state: 'done' },
      );
    }
    const counter = ++this.claimCounter;
    this.claims.set(key, counter);
    this.setExpiry(key, now + leaseMs, now);
    return Promise.resolve({ state: 'claimed', token: `${TOKEN_PREFIX}${counter}` });
  }

  complete(key: string, ttlMs: number): Promise<void> {
    const now = this.elapsed();
    this.claims.delete(key);
    this.setExpiry(key, now + ttlMs, now);
    return Promise.resolve();
  }

  release(key: string, token: string): Promise<void> {
    const counter = this.claims.get(key);
    if (counter !== undefined && token === `${TOKEN_PREFIX}${counter}`) this.forget(key);
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    this.expiries.clear();
    this.claims.clear();
    return Promise.resolve();
  }

  /** Drops expired entries; runs on a timer and when the cap is reached. */
  sweep(now = this.now()): void {
    const elapsed = now - this.epoch;
    this.lastSweepAt = elapsed;
    for (const [key, expiresAt] of this.expiries) {
      if (expiresAt <= elapsed) this.forget(key);
    }
  }

  private elapsed(): number {
    return this.now() - this.epoch;
  }

  private forget(key: string): void {
    this.expiries.delete(key);
    this.claims.delete(key);
  }

  /** The key's expiry if it is still live; an expired entry is dropped on the way. */
  private liveExpiry(key: string, now: number): number | undefined {
    const expiresAt = this.expiries.get(key);
    if (expiresAt !== undefined && expiresAt <= now) {
      this.forget(key);
      return undefined;
    }
    return expiresAt;
  }

  private setExpiry(key: string, expiresAt: number, now: number): void {
    // Re-insert so Map order stays oldest-first for eviction.
    this.expiries.delete(key);
    if (this.expiries.size >= this.maxEntries) {
      // A full sweep is O(entries): at most once a second, or a full store would rescan on every claim.
      if (now - this.lastSweepAt >= FULL_SWEEP_INTERVAL_MS) this.sweep(now + this.epoch);
      let evicted = 0;
      for (const [oldest, oldestExpiry] of this.expiries) {
        if (this.expiries.size < this.maxEntries) break;
        this.forget(oldest);
        if (oldestExpiry > now) evicted++;
      }
      if (evicted > 0 && !this.evictionReported) {
        this.evictionReported = true;
        this.options.onEvict?.(evicted);
      }
    }
    this.expiries.set(key, expiresAt);
  }
}

/** Random per store module, as the Redis store's tokens: a token from elsewhere never matches. */
const TOKEN_PREFIX = `${newClaimToken()}.`;
