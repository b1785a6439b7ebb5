import type { Job, JobType, Queue } from 'bullmq';
import type { ArchivedDelivery, ArchiveFilter, HandlerOutcome } from '../archive/archive-sink.interface.js';
import { archiveIdOf, byArrival, matchesArchiveFilter } from '../archive/archive-sink.interface.js';
import type { StoredDelivery } from './stored-delivery.js';

interface JobData {
  readonly handler: string;
  readonly delivery: StoredDelivery;
}

/** BullMQ's job states, as the archive reports a handler's outcome. */
const STATES: readonly [JobType, HandlerOutcome['state']][] = [
  ['completed', 'processed'],
  ['failed', 'dead-lettered'],
  ['waiting', 'queued'],
  ['prioritized', 'queued'],
  ['active', 'queued'],
  ['delayed', 'failed'],
];

/**
 * The deliveries whose jobs BullMQ still keeps (completed ones for `completedRetentionMs`, dead letters
 * for `deadLetterRetentionMs`): the default archive. Each job holds its delivery; a delivery's jobs are
 * grouped by its delivery key, and each job's state is its handler's outcome. Reads every job of the
 * endpoints' queues: an operator's tool, not a hot path (an fs or S3 sink scales with days instead).
 */
export async function archivedInBullmq(
  queues: readonly Queue<JobData>[],
  filter: ArchiveFilter = {},
): Promise<ArchivedDelivery[]> {
  const byKey = new Map<string, { delivery: StoredDelivery; outcomes: Record<string, HandlerOutcome> }>();
  for (const queue of queues) {
    for (const [type, state] of STATES) {
      const jobs = (await queue.getJobs([type], 0, -1)) as (Job<JobData> | undefined)[];
      for (const job of jobs) {
        const delivery = job?.data?.delivery;
        if (!job || !delivery || delivery.via === 'replay') continue;
        let entry = byKey.get(delivery.deliveryKey);
        if (!entry) byKey.set(delivery.deliveryKey, (entry = { delivery, outcomes: {} }));
        entry.outcomes[job.data.handler] = {
          state,
          attempts: job.attemptsMade,
          at: job.finishedOn ?? job.processedOn ?? job.timestamp,
          ...(job.failedReason ? { error: job.failedReason } : {}),
        };
      }
    }
  }
  return [...byKey.values()]
    .map(({ delivery, outcomes }) => ({
      deliveryId: archiveIdOf(delivery),
      delivery,
      handlers: Object.keys(outcomes),
      redacted: delivery.redacted === true,
      outcomes,
    }))
    .filter((entry) => matchesArchiveFilter(entry, filter))
    .sort(byArrival);
}
