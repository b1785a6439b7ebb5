import { hash } from 'node:crypto';

const EMPTY = 0;
const LIVE = 1;
const DELETED = 2;
const MIN_CAPACITY = 16;
/** How many recent keys keep their fingerprint: a claim is settled milliseconds after it is taken. */
const RECENT_KEYS = 512;

/**
 * The memory store's entries in typed arrays, keyed by a 128-bit SHA-256 fingerprint of the key
 * (two keys collide with a chance of about n² / 2¹²⁹). No string or object is kept per entry: every
 * remembered key string used to be copied by the young-generation collector and marked by every
 * full collection, which made the embedded store cost more CPU per delivery than a Redis round trip.
 *
 * Open addressing with linear probing, at most half full. A ring of (slot, sequence) records keeps
 * the order in which entries were last written, for eviction oldest first; a record whose slot was
 * written again since is stale and skipped. Deleting leaves a tombstone; `rebuild` copies the live
 * entries in ring order into fresh arrays, which drops tombstones, stale records and expired entries.
 */
export class FingerprintTable {
  private capacity = 0;
  private mask = 0;
  private states = new Uint8Array(0);
  private fingerprints = new Int32Array(0);
  private expiries = new Float64Array(0);
  private counters = new Float64Array(0);
  private sequences = new Float64Array(0);
  /** The ring, `capacity` records long; head and tail count up forever and are masked on use. */
  private orderSlots = new Int32Array(0);
  private orderSequences = new Float64Array(0);
  private orderHead = 0;
  private orderTail = 0;
  private nextSequence = 1;
  private live = 0;
  private deleted = 0;
  /** The fingerprint of the key last passed to `lookup`; `put` writes that key. */
  private current: Int32Array = new Int32Array(4);
  /** Fingerprints of the latest keys, so settling a claim does not hash its key again. */
  private readonly recent = new Map<string, Int32Array>();
  private readonly maxCapacity: number;

  /**
   * Sized for `maxEntries` at most half full. The caller keeps below that bound (it evicts before
   * it inserts), which keeps a free slot at the end of every probe.
   */
  constructor(maxEntries: number) {
    let maxCapacity = MIN_CAPACITY;
    while (maxCapacity < 2 * maxEntries) maxCapacity *= 2;
    this.maxCapacity = maxCapacity;
    this.allocate(MIN_CAPACITY);
  }

  /** Entries held, expired ones included until a sweep or rebuild drops them. */
  get size(): number {
    return this.live;
  }

  /** The key's slot, or -1. Remembers the key for the next `put`. */
  lookup(key: string): number {
    let fingerprint = this.recent.get(key);
    if (!fingerprint) {
      const digest = hash('sha256', key, 'buffer');
      fingerprint = Int32Array.of(
        digest.readInt32LE(0),
        digest.readInt32LE(4),
        digest.readInt32LE(8),
        digest.readInt32LE(12),
      );
      if (this.recent.size >= RECENT_KEYS) this.recent.clear();
      this.recent.set(key, fingerprint);
    }
    this.current = fingerprint;
    const slot = this.probe(fingerprint, 0);
    return slot >= 0 ? slot : -1;
  }

  expiryAt(slot: number): number {
    return this.expiries[slot]!;
  }

  counterAt(slot: number): number {
    return this.counters[slot]!;
  }

  /** Writes the key last looked up (inserts or overwrites); it becomes the newest entry. */
  put(expiresAt: number, counter: number, now: number): void {
    let slot = this.probe(this.current, 0);
    const inserting = slot < 0;
    const ringFull = this.orderTail - this.orderHead === this.capacity;
    // Rebuild before the table passes three quarters (tombstones included), so probes stay short.
    const crowded = inserting && (this.live + this.deleted + 1) * 4 > this.capacity * 3;
    if (ringFull || crowded) {
      this.rebuild(now);
      slot = this.probe(this.current, 0);
    }
    if (slot < 0) {
      slot = ~slot;
      if (this.states[slot] === DELETED) this.deleted--;
      this.states[slot] = LIVE;
      this.fingerprints.set(this.current, slot * 4);
      this.live++;
    }
    this.record(slot, expiresAt, counter, this.nextSequence++);
  }

  remove(slot: number): void {
    this.states[slot] = DELETED;
    this.live--;
    this.deleted++;
  }

  /** Removes the entry written longest ago; true when it had not expired yet. */
  evictOldest(now: number): boolean {
    while (this.orderHead < this.orderTail) {
      const at = this.orderHead++ & this.mask;
      const slot = this.orderSlots[at]!;
      if (this.states[slot] !== LIVE || this.sequences[slot] !== this.orderSequences[at]) continue;
      this.remove(slot);
      return this.expiries[slot]! > now;
    }
    return false;
  }

  /**
   * Copies the unexpired entries, oldest first, into arrays sized for them (at most half full, up
   * to `maxCapacity`): drops tombstones, stale ring records and expired entries.
   */
  rebuild(now: number): void {
    const { states, fingerprints, expiries, counters, sequences, orderSlots, orderSequences } = this;
    const oldMask = this.mask;
    const head = this.orderHead;
    const tail = this.orderTail;
    let capacity = MIN_CAPACITY;
    while (capacity < 2 * (this.live + 1) && capacity < this.maxCapacity) capacity *= 2;
    this.allocate(capacity);
    for (let position = head; position < tail; position++) {
      const at = position & oldMask;
      const slot = orderSlots[at]!;
      if (states[slot] !== LIVE || sequences[slot] !== orderSequences[at]) continue;
      if (expiries[slot]! <= now) continue;
      const free = ~this.probe(fingerprints, slot * 4);
      this.states[free] = LIVE;
      this.fingerprints.set(fingerprints.subarray(slot * 4, slot * 4 + 4), free * 4);
      this.live++;
      this.record(free, expiries[slot]!, counters[slot]!, sequences[slot]!);
    }
  }

  clear(): void {
    this.recent.clear();
    this.allocate(MIN_CAPACITY);
  }

  private allocate(capacity: number): void {
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.states = new Uint8Array(capacity);
    this.fingerprints = new Int32Array(capacity * 4);
    this.expiries = new Float64Array(capacity);
    this.counters = new Float64Array(capacity);
    this.sequences = new Float64Array(capacity);
    this.orderSlots = new Int32Array(capacity);
    this.orderSequences = new Float64Array(capacity);
    this.orderHead = 0;
    this.orderTail = 0;
    this.live = 0;
    this.deleted = 0;
  }

  private record(slot: number, expiresAt: number, counter: number, sequence: number): void {
    this.expiries[slot] = expiresAt;
    this.counters[slot] = counter;
    this.sequences[slot] = sequence;
    const at = this.orderTail++ & this.mask;
    this.orderSlots[at] = slot;
    this.orderSequences[at] = sequence;
  }

  /**
   * The slot holding the fingerprint at `source[offset…offset+3]`, or `~slot` of the first free one
   * (a tombstone or an empty slot) when it is absent. The table is never full, so this ends.
   */
  private probe(source: Int32Array, offset: number): number {
    const a = source[offset]!;
    const b = source[offset + 1]!;
    const c = source[offset + 2]!;
    const d = source[offset + 3]!;
    const { states, fingerprints, mask } = this;
    let free = -1;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      const state = states[slot];
      if (state === EMPTY) return ~(free >= 0 ? free : slot);
      if (state === DELETED) {
        if (free < 0) free = slot;
        continue;
      }
      const at = slot * 4;
      if (
        fingerprints[at] === a &&
        fingerprints[at + 1] === b &&
        fingerprints[at + 2] === c &&
        fingerprints[at + 3] === d
      ) {
        return slot;
      }
    }
  }
}
