import type { BeforeApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { WebhookJob, WebhookQueue as WebhookQueueContract } from '@verified-webhooks/core';
import { isNonRetryable, StoredEvent } from '@verified-webhooks/core';
import { WebhookTracing } from './tracing/webhook-tracing.js';
import { WebhookHandlers } from './webhook-handlers.service.js';
import { queueEndpoints } from './webhook-queue-control.service.js';
import type { JobOutcome } from './webhook-queue-metrics.js';
import { WebhookQueueMetrics } from './webhook-queue-metrics.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
import { WebhookQueue } from './webhooks.tokens.js';

const DEFAULT_CONCURRENCY = 4;

/**
 * Runs the handlers of queued deliveries: one job per delivery and handler, in this process unless
 * the module says `worker: false`. Started once the handlers are registered; on shutdown
 * (`app.enableShutdownHooks()` turns SIGTERM into one) it stops taking jobs and waits for the running
 * ones, so none is lost or run twice because of the shutdown. Each run is logged with a reason code,
 * counted, and traced as a child of the request that queued it (docs/architecture.md, "Observability").
 */
@Injectable()
export class WebhookWorker implements BeforeApplicationShutdown {
  private readonly logger = new Logger('VerifiedWebhook');
  private started = false;

  constructor(
    @Inject(WebhookQueue) private readonly queue: WebhookQueueContract,
    private readonly handlers: WebhookHandlers,
    @Inject(WEBHOOKS_MODULE_OPTIONS) private readonly options: WebhooksModuleOptions,
    @Optional() private readonly metrics: WebhookQueueMetrics = WebhookQueueMetrics.disabled,
    @Optional() private readonly tracing: WebhookTracing = WebhookTracing.disabled,
  ) {}

  /** The endpoints this process works on: its durable routes', and those `worker.endpoints` names. */
  endpoints(durableRoutes: ReadonlySet<string>): string[] {
    return queueEndpoints(this.options, durableRoutes);
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
    const paused = await Promise.all(endpoints.map((endpoint) => this.queue.isPaused(endpoint))).catch(
      () => [],
    );
    const held = endpoints.filter((_endpoint, index) => paused[index]);
    if (held.length > 0) this.logger.warn(`worker: paused (queued, not processed): ${held.join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.close();
    if (this.started) this.logger.log('worker: drained');
  }

  private async run(job: WebhookJob): Promise<void> {
    const { endpoint, handler, attempt } = job;
    const replay = (job.delivery as { readonly via?: string }).via === 'replay';
    if (replay && attempt === 1) this.metrics.recordReplay(endpoint);
    const attributes = {
      'webhook.endpoint': endpoint,
      'webhook.scheme': job.delivery.scheme,
      'webhook.delivery_id': job.delivery.id,
      'webhook.event_type': job.delivery.type,
      'webhook.job_id': job.id,
      'webhook.attempt': attempt,
      ...(replay ? { 'webhook.replay': true } : {}),
    };
    const jobSpan = this.tracing.start(`webhook.job ${endpoint}`, attributes, job.delivery, 'consumer');
    const handlerSpan = this.tracing.start(
      `webhook.handler ${handler}`,
      { 'webhook.endpoint': endpoint, 'webhook.handler': handler, 'webhook.attempt': attempt },
      jobSpan,
    );
    this.logger.debug(this.line('job_started', job));
    const started = performance.now();
    try {
      await this.tracing.with(handlerSpan, () =>
        this.handlers.runOne(endpoint, handler, new StoredEvent(job.delivery), attempt),
      );
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      const dead = isNonRetryable(error) || attempt >= (job.maxAttempts ?? Number.POSITIVE_INFINITY);
      const outcome: JobOutcome = dead ? 'dead_letter' : 'retry';
      const reason = isNonRetryable(error) ? 'non_retryable' : dead ? 'attempts_exhausted' : 'handler_error';
      this.metrics.job(endpoint, handler, outcome, seconds, attempt);
      handlerSpan.end(error);
      jobSpan.setAttributes({ 'webhook.outcome': outcome });
      jobSpan.end(error);
      // The error's class only: a message may quote the payload (JSON.parse does), which logs never hold.
      const line = this.line(dead ? 'job_dead_letter' : 'job_retry', job, reason, error);
      if (dead) this.logger.error(line);
      else this.logger.warn(line);
      throw error;
    }
    this.metrics.job(endpoint, handler, 'completed', (performance.now() - started) / 1000, attempt);
    handlerSpan.end();
    jobSpan.setAttributes({ 'webhook.outcome': 'completed' });
    jobSpan.end();
    this.logger.debug(this.line('job_completed', job));
  }

  /** One logfmt line: the event and reason codes, where, which job and delivery; no body, header or secret. */
  private line(event: string, job: WebhookJob, reason?: string, error?: unknown): string {
    const fields: [string, string | number | undefined][] = [
      ['event', event],
      ['reason', reason],
      ['endpoint', job.endpoint],
      ['handler', job.handler],
      ['job', job.id],
      ['delivery', job.delivery.id],
      ['attempt', job.attempt],
      ['max_attempts', job.maxAttempts],
      ['error', error === undefined ? undefined : error instanceof Error ? error.name : typeof error],
    ];
    return fields
      .filter((field): field is [string, string | number] => field[1] !== undefined)
      .map(([key, value]) => `${key}=${/^[\w.:@-]+$/.test(String(value)) ? value : JSON.stringify(value)}`)
      .join(' ');
  }

  private concurrency(endpoint: string): number {
    const worker = this.options.worker;
    const concurrency = typeof worker === 'object' ? worker.concurrency : undefined;
    if (typeof concurrency === 'number') return concurrency;
    return concurrency?.[endpoint] ?? DEFAULT_CONCURRENCY;
  }
}
