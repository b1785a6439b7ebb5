import type { ClaimResult, ReplayStore } from './replay-store.interface.js';
import { FingerprintTable } from './fingerprint-table.js';
import { newClaimToken } from './replay-key.js';

export interface MemoryReplayStoreOptions {
  /** Upper bound on remembered deliveries. Default 100,000 (about 14 MB, twice that while it compacts). */
  maxEntries?: number;
  /** How often expired entries are swept. Default 30 s. */
  sweepIntervalMs?: number;
  /** Injectable clock for tests. */
  now?: () => number;
  /** Called once when the cap first forces out an unexpired entry; what it throws is ignored. */
  onEvict?: (evicted: number) => void;
}

const FULL_SWEEP_INTERVAL_MS = 1_000;

/**
 * The embedded default: one process, no dependencies. Bounded in memory: when full, the oldest
 * entries are forgotten first (size `maxEntries` above your peak deliveries per replay window).
 * Use RedisReplayStore as soon as two processes serve the same endpoint.
 *
 * Entries live in typed arrays under a 128-bit digest of their key (see FingerprintTable): no
 * object or string per delivery, so 100,000 remembered deliveries do not weigh on the garbage
 * collector, and the memory is bounded (about 14 MB at the default cap, twice that for the moment
 * it compacts).
 */
export class MemoryReplayStore implements ReplayStore {
  /** Expiry (ms since `epoch`) and claim counter (0 once done) per key, oldest written first. */
  private readonly entries: FingerprintTable;
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
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a whole number of at least 1, not ${options.maxEntries}.`);
    }
    this.entries = new FingerprintTable(this.maxEntries);
    this.now = options.now ?? Date.now;
    this.epoch = this.now();
    this.timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.timer.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  claim(key: string, leaseMs: number): Promise<ClaimResult> {
    return new Promise((resolve) => resolve(this.claimNow(key, leaseMs)));
  }

  claimNow(key: string, leaseMs: number): ClaimResult {
    const invalid = invalidDuration('leaseMs', leaseMs);
    if (invalid) throw invalid;
    const now = this.elapsed();
    const slot = this.entries.lookup(key);
    if (slot >= 0) {
      const expiresAt = this.entries.expiryAt(slot);
      if (expiresAt > now) {
        return this.entries.counterAt(slot) > 0
          ? { state: 'in_flight', retryAfterMs: expiresAt - now }
          : { state: 'done' };
      }
    }
    const counter = ++this.claimCounter;
    this.write(slot, now + leaseMs, counter, now);
    return { state: 'claimed', token: `${TOKEN_PREFIX}${counter}` };
  }

  complete(key: string, ttlMs: number): Promise<void> {
    const invalid = invalidDuration('ttlMs', ttlMs);
    if (invalid) return Promise.reject(invalid);
    const now = this.elapsed();
    this.write(this.entries.lookup(key), now + ttlMs, 0, now);
    return Promise.resolve();
  }

  release(key: string, token: string): Promise<void> {
    const slot = this.entries.lookup(key);
    if (slot >= 0) {
      const counter = this.entries.counterAt(slot);
      if (counter > 0 && token === `${TOKEN_PREFIX}${counter}`) this.entries.remove(slot);
    }
    return Promise.resolve();
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
    const elapsed = now - this.epoch;
    this.lastSweepAt = elapsed;
    this.entries.rebuild(elapsed);
  }

  private elapsed(): number {
    return this.now() - this.epoch;
  }

  /** Writes the key just looked up (found at `slot`, or -1), making room first when it is new. */
  private write(slot: number, expiresAt: number, counter: number, now: number): void {
    let evicted = 0;
    if (slot < 0 && this.entries.size >= this.maxEntries) {
      // A full sweep is O(entries): at most once a second, or a full store would rescan on every claim.
      if (now - this.lastSweepAt >= FULL_SWEEP_INTERVAL_MS) this.sweep(now + this.epoch);
      while (this.entries.size >= this.maxEntries) {
        if (this.entries.evictOldest(now)) evicted++;
      }
    }
    this.entries.put(expiresAt, counter, now);
    // Told after the write: the callback may call the store, which would look up another key.
    if (evicted > 0 && !this.evictionReported) {
      this.evictionReported = true;
      try {
        this.options.onEvict?.(evicted);
      } catch {
        // A notification: its failure must not fail the claim that was just recorded.
      }
    }
  }
}

/** Random per store module, as the Redis store's tokens: a token from elsewhere never matches. */
const TOKEN_PREFIX = `${newClaimToken()}.`;

/** A NaN or non-positive duration would store an entry that is expired at once: a replay let through. */
function invalidDuration(name: string, value: number): RangeError | undefined {
  return value > 0 && value <= Number.MAX_SAFE_INTEGER
    ? undefined
    : new RangeError(`${name} must be a number of milliseconds > 0, not ${value}.`);
}
