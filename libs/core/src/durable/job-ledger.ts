import type { ArchivedDelivery, ArchiveFilter, HandlerOutcome } from '../archive/archive-sink.interface.js';
import { archiveIdOf, byArrival, matchesArchiveFilter } from '../archive/archive-sink.interface.js';
import type { StoredDelivery } from './stored-delivery.js';

interface Entry {
  readonly delivery: StoredDelivery;
  readonly outcomes: Map<string, HandlerOutcome>;
  readonly jobs: string[];
}

const DAY_MS = 24 * 60 * 60_000;

/**
 * What the in-process queue queued and how each job ended, kept for `retentionMs` (as BullMQ keeps
 * completed jobs): the in-process queue's own archive. Replays are not kept: they are not deliveries.
 */
export class JobLedger {
  private readonly byKey = new Map<string, Entry>();
  private readonly jobs = new Map<string, { readonly entry: Entry; readonly handler: string }>();

  constructor(private readonly retentionMs = DAY_MS) {}

  queued(jobId: string, handler: string, delivery: StoredDelivery): void {
    if (delivery.via === 'replay') return;
    this.expire();
    let entry = this.byKey.get(delivery.deliveryKey);
    if (!entry) this.byKey.set(delivery.deliveryKey, (entry = { delivery, outcomes: new Map(), jobs: [] }));
    entry.outcomes.set(handler, { state: 'queued', attempts: 0, at: Date.now() });
    entry.jobs.push(jobId);
    this.jobs.set(jobId, { entry, handler });
  }

  settled(jobId: string, state: HandlerOutcome['state'], attempts: number, error?: string): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    job.entry.outcomes.set(job.handler, {
      state,
      attempts,
      at: Date.now(),
      ...(error === undefined ? {} : { error }),
    });
  }

  deliveries(filter?: ArchiveFilter): ArchivedDelivery[] {
    this.expire();
    return [...this.byKey.values()]
      .map(({ delivery, outcomes }) => ({
        deliveryId: archiveIdOf(delivery),
        delivery,
        handlers: [...outcomes.keys()],
        redacted: delivery.redacted === true,
        outcomes: Object.fromEntries(outcomes),
      }))
      .filter((entry) => matchesArchiveFilter(entry, filter))
      .sort(byArrival);
  }

  /** Oldest first (a Map keeps insertion order): stops at the first entry still kept. */
  private expire(): void {
    const cutoff = Date.now() - this.retentionMs;
    for (const [key, entry] of this.byKey) {
      if (entry.delivery.receivedAt >= cutoff) break;
      this.byKey.delete(key);
      for (const jobId of entry.jobs) this.jobs.delete(jobId);
    }
  }
}
