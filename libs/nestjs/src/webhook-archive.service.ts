import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  AnyWebhookScheme,
  ArchivedDelivery,
  ArchiveFilter,
  ArchiveSink,
  HandlerOutcome,
  ReplayedDelivery,
  ReplayOptions,
  StoredDelivery,
  WebhookJob,
  WebhookQueue as WebhookQueueContract,
} from '@verified-webhooks/core';
import {
  archiveEntry,
  archiveIdOf,
  isNonRetryable,
  QueueArchive,
  replayArchived,
  StoredEvent,
} from '@verified-webhooks/core';
import { WebhookHandlers } from './webhook-handlers.service.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
import { WebhookQueue } from './webhooks.tokens.js';

/**
 * The raw archive of the durable routes and replay from it (docs/architecture.md, "Archive and
 * replay"): `list()` what was accepted, `replay()` one delivery by id or many by endpoint, time and
 * type, through the queue. The archive is the module's `archive.sink`, else the queue's own retention.
 *
 *     await app.get(WebhookArchive).replay({ id: 'evt_123' });
 */
@Injectable()
export class WebhookArchive implements OnApplicationShutdown {
  private readonly logger = new Logger('VerifiedWebhook');
  /** The sink deliveries are written to; undefined when the queue's own retention is the archive. */
  private readonly written: ArchiveSink | undefined;
  readonly sink: ArchiveSink;

  constructor(
    @Inject(WEBHOOKS_MODULE_OPTIONS) private readonly options: WebhooksModuleOptions,
    @Inject(WebhookQueue) private readonly queue: WebhookQueueContract,
    private readonly handlers: WebhookHandlers,
  ) {
    this.written = options.archive?.sink;
    this.sink = this.written ?? new QueueArchive(queue);
    if (options.archive?.redact && !this.written) {
      this.logger.warn(
        'archive.redact has no effect without archive.sink: the queue keeps the bodies its worker runs on.',
      );
    }
  }

  /** Archives an accepted delivery (the interceptor, before it answers); nothing to write for the queue's own. */
  keep(delivery: StoredDelivery, handlers: readonly string[], scheme: AnyWebhookScheme): Promise<void> {
    if (!this.written) return Promise.resolve();
    return this.written.put(
      archiveEntry(delivery, handlers, { scheme, redact: this.options.archive?.redact }),
    );
  }

  /** Runs a job and records how it ended (the worker); a sink that cannot record only warns. */
  async recorded(job: WebhookJob, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      const dead = isNonRetryable(error) || job.attempt >= (job.maxAttempts ?? Number.POSITIVE_INFINITY);
      const message = error instanceof Error ? error.message : String(error);
      await this.record(job, dead ? 'dead-lettered' : 'failed', message);
      throw error;
    }
    await this.record(job, 'processed');
  }

  list(filter?: ArchiveFilter): Promise<ArchivedDelivery[]> {
    return this.sink.list(filter);
  }

  /**
   * Replays archived deliveries through the queue to the handlers this app registers for them now (a
   * handler added by a fix runs too; without handlers here, those the delivery was queued for).
   */
  replay(options: ReplayOptions): Promise<ReplayedDelivery[]> {
    return replayArchived(this.sink, this.queue, options, (entry) => {
      const { delivery } = entry;
      if (this.handlers.handlersOf(delivery.endpoint).length === 0) return entry.handlers;
      return this.handlers.matching(delivery.endpoint, new StoredEvent(delivery), delivery.names);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.written?.close?.();
  }

  private async record(job: WebhookJob, state: HandlerOutcome['state'], error?: string): Promise<void> {
    if (!this.written) return;
    const outcome: HandlerOutcome = {
      state,
      attempts: job.attempt,
      at: Date.now(),
      ...(error === undefined ? {} : { error }),
      ...(job.delivery.via === 'replay' ? { via: 'replay' as const } : {}),
    };
    await this.written
      .recordOutcome({ deliveryId: archiveIdOf(job.delivery), delivery: job.delivery }, job.handler, outcome)
      .catch((failure: unknown) =>
        this.logger.warn(`archive: could not record the outcome of ${job.handler}: ${String(failure)}`),
      );
  }
}
