import type { WebhookQueue } from '../durable/webhook-queue.interface.js';
import type { ArchivedDelivery, ArchiveFilter, ArchiveSink } from './archive-sink.interface.js';

/**
 * The default archive: the queue's own retention (BullMQ keeps completed jobs a day and dead letters
 * 14 days by default; the in-process queue a day, in memory). Nothing is written twice: each job's data
 * is the delivery, each job's state its handler's outcome. Deliveries no handler matched are not
 * queued, so not kept; neither is anything past the queue's retention; use a file or S3 sink for that.
 */
export class QueueArchive implements ArchiveSink {
  constructor(private readonly queue: WebhookQueue) {}

  /** The queue stores the delivery itself. */
  put(): Promise<void> {
    return Promise.resolve();
  }

  /** The job's state is the outcome. */
  recordOutcome(): Promise<void> {
    return Promise.resolve();
  }

  list(filter?: ArchiveFilter): Promise<ArchivedDelivery[]> {
    if (!this.queue.archived) {
      return Promise.reject(
        new Error(
          'This queue keeps no archive of its own: pass an archive sink (FsArchiveSink, S3ArchiveSink).',
        ),
      );
    }
    return this.queue.archived(filter);
  }
}
