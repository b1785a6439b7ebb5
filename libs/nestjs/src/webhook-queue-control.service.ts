import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EndpointQueueStats, WebhookQueue as WebhookQueueContract } from '@verified-webhooks/core';
import { WebhookRoutes } from './webhook-routes.service.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
import { WebhookQueue } from './webhooks.tokens.js';

/**
 * Pause, resume and read the durable routes' queues from code (the CLI's `pause`, `resume` and
 * `status` do the same on a deployment's Redis):
 *
 *     await app.get(WebhookQueueControl).pause('stripe'); // accepted and queued, not processed
 *
 * With BullmqWebhookQueue the pause is kept in Redis: every worker process obeys it, across restarts.
 */
@Injectable()
export class WebhookQueueControl {
  private readonly logger = new Logger('VerifiedWebhook');

  constructor(
    @Inject(WebhookQueue) private readonly queue: WebhookQueueContract,
    private readonly routes: WebhookRoutes,
    @Inject(WEBHOOKS_MODULE_OPTIONS) private readonly options: WebhooksModuleOptions,
  ) {}

  /** Whether queued deliveries survive a crash (BullMQ) or not (the in-process queue). */
  get durable(): boolean {
    return this.queue.durable;
  }

  /** Answers when the queue's backend is reachable; throws otherwise. */
  ping(): Promise<void> {
    return this.queue.ping();
  }

  /** The endpoints of this app's queue: its durable routes' and those `worker.endpoints` names. */
  endpoints(): string[] {
    return queueEndpoints(this.options, this.routes.durable());
  }

  async pause(endpoint: string): Promise<void> {
    await this.queue.pause(endpoint);
    this.logger.log(`event=queue_paused endpoint=${endpoint}`);
  }

  async resume(endpoint: string): Promise<void> {
    await this.queue.resume(endpoint);
    this.logger.log(`event=queue_resumed endpoint=${endpoint}`);
  }

  isPaused(endpoint: string): Promise<boolean> {
    return this.queue.isPaused(endpoint);
  }

  /** Each endpoint's queue: paused or not, jobs waiting, active, delayed, dead letters, oldest waiting. */
  status(): Promise<EndpointQueueStats[]> {
    return this.queue.stats(this.endpoints());
  }
}

/** Durable routes' endpoints and those the module's `worker.endpoints` adds, once each. */
export function queueEndpoints(options: WebhooksModuleOptions, durableRoutes: ReadonlySet<string>): string[] {
  const worker = options.worker;
  const named = typeof worker === 'object' ? (worker.endpoints ?? []) : [];
  return [...new Set([...durableRoutes, ...named])];
}
