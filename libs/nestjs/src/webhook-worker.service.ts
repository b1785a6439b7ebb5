import type { BeforeApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { WebhookJob, WebhookQueue as WebhookQueueContract } from '@verified-webhooks/core';
import { StoredEvent } from '@verified-webhooks/core';
import { WebhookArchive } from './webhook-archive.service.js';
import { WebhookHandlers } from './webhook-handlers.service.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
import { WebhookQueue } from './webhooks.tokens.js';

const DEFAULT_CONCURRENCY = 4;

/**
 * Runs the handlers of queued deliveries: one job per delivery and handler, in this process unless
 * the module says `worker: false`. Started once the handlers are registered; on shutdown
 * (`app.enableShutdownHooks()` turns SIGTERM into one) it stops taking jobs and waits for the running
 * ones, so none is lost or run twice because of the shutdown.
 */
@Injectable()
export class WebhookWorker implements BeforeApplicationShutdown {
  private readonly logger = new Logger('VerifiedWebhook');
  private started = false;

  constructor(
    @Inject(WebhookQueue) private readonly queue: WebhookQueueContract,
    private readonly handlers: WebhookHandlers,
    @Inject(WEBHOOKS_MODULE_OPTIONS) private readonly options: WebhooksModuleOptions,
    @Optional() private readonly archive?: WebhookArchive,
  ) {}

  /** The endpoints this process works on: its durable routes', and those `worker.endpoints` names. */
  endpoints(durableRoutes: ReadonlySet<string>): string[] {
    const worker = this.options.worker;
    const named = typeof worker === 'object' ? (worker.endpoints ?? []) : [];
    return [...new Set([...durableRoutes, ...named])];
  }

  async start(endpoints: readonly string[]): Promise<void> {
    if (endpoints.length === 0) return;
    if (!this.queue.durable) {
      this.logger.warn(
        'Durable routes use the in-process queue: NOT durable, queued deliveries are lost with this process. Pass a BullmqWebhookQueue (queue option) in production.',
      );
    }
    for (const warning of (await this.queue.setupWarnings?.().catch(() => [])) ?? [])
      this.logger.warn(warning);
    if (this.options.worker === false) return;
    for (const endpoint of endpoints) {
      await this.queue.process(endpoint, (job) => this.run(job), { concurrency: this.concurrency(endpoint) });
    }
    this.started = true;
    this.logger.log(`worker: processing ${endpoints.join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.close();
    if (this.started) this.logger.log('worker: drained');
  }

  private run(job: WebhookJob): Promise<void> {
    const run = () =>
      this.handlers.runOne(job.endpoint, job.handler, new StoredEvent(job.delivery), job.attempt);
    return this.archive ? this.archive.recorded(job, run) : run();
  }

  private concurrency(endpoint: string): number {
    const worker = this.options.worker;
    const concurrency = typeof worker === 'object' ? worker.concurrency : undefined;
    if (typeof concurrency === 'number') return concurrency;
    return concurrency?.[endpoint] ?? DEFAULT_CONCURRENCY;
  }
}
