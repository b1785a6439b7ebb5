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

interface Entry {
  token: string | undefined; // undefined once done
  expiresAt: number;
}

/**
 * The embedded default: one process, no dependencies. Bounded in memory: when full, the oldest
 * entries are forgotten first (size `maxEntries` above your peak deliveries per replay window).
 * Use RedisReplayStore as soon as two processes serve the same endpoint.
 */
export class MemoryReplayStore implements ReplayStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private evictionReported = false;
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: MemoryReplayStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.timer.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  claim(key: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.now();
    const entry = this.live(key, now);
    if (entry) {
      return Promise.resolve(
        entry.token === undefined
          ? { state: 'done' }
          : { state: 'in_flight', retryAfterMs: entry.expiresAt - now },
      );
    }
    const token = newClaimToken();
    this.set(key, { token, expiresAt: now + leaseMs }, now);
    return Promise.resolve({ state: 'claimed', token });
  }

  complete(key: string, ttlMs: number): Promise<void> {
    const now = this.now();
    this.set(key, { token: undefined, expiresAt: now + ttlMs }, now);
    return Promise.resolve();
  }

  release(key: string, token: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry?.token === token) this.entries.delete(key);
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
    this.lastSweepAt = now;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private set(key: string, entry: Entry, now: number): void {
    // Re-insert so Map order stays oldest-first for eviction.
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // A full sweep is O(entries): at most once a second, or a full store would rescan on every claim.
      if (now - this.lastSweepAt >= FULL_SWEEP_INTERVAL_MS) this.sweep(now);
      let evicted = 0;
      for (const [oldest, entry] of this.entries) {
        if (this.entries.size < this.maxEntries) break;
        this.entries.delete(oldest);
        if (entry.expiresAt > now) evicted++;
      }
      if (evicted > 0 && !this.evictionReported) {
        this.evictionReported = true;
        this.options.onEvict?.(evicted);
      }
    }
    this.entries.set(key, entry);
  }
}
