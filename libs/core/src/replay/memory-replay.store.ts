import type { ClaimResult, ReplayStore } from './replay-store.interface.js';
import { newClaimToken } from './replay-key.js';

export interface MemoryReplayStoreOptions {
  /** Upper bound on remembered deliveries. Default 100,000 (about 30 MB of heap when full). */
  maxEntries?: number;
  /** How often expired entries are swept. Default 30 s. */
  sweepIntervalMs?: number;
  /** Injectable clock for tests. */
  now?: () => number;
  /**
   * Told how many unexpired entries the cap forced out since the last call: each of those deliveries
   * could be replayed. An eviction at least a second after the last call is reported at once, with
   * the evictions held back since; evictions within a second of a call are held back until the next
   * eviction or periodic sweep at least a second after it. So every eviction storm is reported, at
   * most once a second, and no eviction goes uncounted. What it throws is ignored.
   */
  onEvict?: (evictedSinceLastReport: number) => void;
}

/** How often, at most, a full store rescans for expired entries, and onEvict is called. */
const FULL_SWEEP_INTERVAL_MS = 1_000;
const REPORT_INTERVAL_MS = 1_000;

interface Entry {
  readonly expiresAt: number;
  /** The claim's token while in flight; undefined once done. */
  readonly token: string | undefined;
}

/**
 * The embedded default: one process, no dependencies. Use RedisReplayStore as soon as two
 * processes serve the same endpoint.
 *
 * `maxEntries` is the bound on its replay protection: when full, the oldest written entries are
 * forgotten first, and a delivery forgotten before its TTL runs out can be replayed. Size it above
 * your peak deliveries per replay window, and watch `onEvict`.
 */
export class MemoryReplayStore implements ReplayStore {
  /** Oldest written first: a Map iterates in insertion order, and a rewrite deletes then sets. */
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  /** Random per store: a token from another store never matches. */
  private readonly tokenPrefix = `${newClaimToken()}.`;
  private claimCounter = 0;
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  private unreportedEvictions = 0;
  private lastReportAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: MemoryReplayStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a whole number of at least 1, not ${options.maxEntries}.`);
    }
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => {
      this.sweep();
      this.reportEvictions(this.now());
    }, options.sweepIntervalMs ?? 30_000);
    this.timer.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  claim(key: string, leaseMs: number): Promise<ClaimResult> {
    const invalid = invalidDuration('leaseMs', leaseMs);
    if (invalid) return Promise.reject(invalid);
    const now = this.now();
    const entry = this.live(key, now);
    if (entry) {
      return Promise.resolve(
        entry.token === undefined
          ? { state: 'done' }
          : { state: 'in_flight', retryAfterMs: entry.expiresAt - now },
      );
    }
    const token = `${this.tokenPrefix}${++this.claimCounter}`;
    this.write(key, { expiresAt: now + leaseMs, token }, now);
    return Promise.resolve({ state: 'claimed', token });
  }

  complete(key: string, token: string, ttlMs: number): Promise<boolean> {
    const invalid = invalidDuration('ttlMs', ttlMs);
    if (invalid) return Promise.reject(invalid);
    const now = this.now();
    const entry = this.live(key, now);
    // Claimed by another request, or done already: nothing to write.
    if (entry && entry.token !== token) return Promise.resolve(false);
    this.write(key, { expiresAt: now + ttlMs, token: undefined }, now);
    return Promise.resolve(entry !== undefined);
  }

  release(key: string, token: string): Promise<void> {
    if (this.entries.get(key)?.token === token) this.entries.delete(key);
    return Promise.resolve();
  }

  renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    const invalid = invalidDuration('leaseMs', leaseMs);
    if (invalid) return Promise.reject(invalid);
    const now = this.now();
    if (this.live(key, now)?.token !== token) return Promise.resolve(false);
    this.write(key, { expiresAt: now + leaseMs, token }, now);
    return Promise.resolve(true);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    this.entries.clear();
    return Promise.resolve();
  }

  /** Drops expired entries; runs on a timer and when the cap is reached. */
  sweep(now = this.now()): void {
    this.lastSweepAt = now;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry : undefined;
  }

  /** Writes `key` as the newest entry, making room first when it is new. */
  private write(key: string, entry: Entry, now: number): void {
    if (!this.entries.delete(key) && this.entries.size >= this.maxEntries) this.makeRoom(now);
    this.entries.set(key, entry);
    // Told after the write: the callback may call the store.
    if (this.unreportedEvictions > 0) this.reportEvictions(now);
  }

  private makeRoom(now: number): void {
    // A full sweep is O(entries): at most once a second, or a full store would rescan on every claim.
    if (now - this.lastSweepAt >= FULL_SWEEP_INTERVAL_MS) this.sweep(now);
    for (const [key, entry] of this.entries) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
      if (entry.expiresAt > now) this.unreportedEvictions++;
    }
  }

  private reportEvictions(now: number): void {
    if (this.unreportedEvictions === 0 || now - this.lastReportAt < REPORT_INTERVAL_MS) return;
    const evicted = this.unreportedEvictions;
    this.unreportedEvictions = 0;
    this.lastReportAt = now;
    try {
      this.options.onEvict?.(evicted);
    } catch {
      // A notification: its failure must not fail the write that was just recorded.
    }
  }
}

/** A NaN or non-positive duration would store an entry that is expired at once: a replay let through. */
function invalidDuration(name: string, value: number): RangeError | undefined {
  return value > 0 && value <= Number.MAX_SAFE_INTEGER
    ? undefined
    : new RangeError(`${name} must be a number of milliseconds > 0, not ${value}.`);
}
