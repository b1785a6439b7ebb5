import { Controller, Get } from '@nestjs/common';
import type { WebhookQueue as WebhookQueueContract } from '@verified-webhooks/core';
import { InjectWebhookQueue } from '@verified-webhooks/nestjs';
import { EventsService } from './events.service.js';
import type { ProcessedEvent } from './events.service.js';

/**
 * DEMONSTRATION ENDPOINTS: public here so a new user can see what the handlers did. They list
 * delivery ids, tenants and handler errors; in a real app serve them behind an admin guard, or not at
 * all (README, "Operating durable routes": protecting the operator surface).
 */
@Controller()
export class EventsController {
  constructor(
    private readonly events: EventsService,
    @InjectWebhookQueue() private readonly queue: WebhookQueueContract,
  ) {}

  /** The deliveries the handlers actually processed, oldest first. */
  @Get('events')
  list(): readonly ProcessedEvent[] {
    return this.events.list();
  }

  /** Jobs of the durable route that exhausted their attempts or failed for good. */
  @Get('dead-letters')
  async deadLetters() {
    return (await this.queue.deadLetters()).map((letter) => ({
      id: letter.deliveryId ?? letter.id,
      endpoint: letter.endpoint,
      attempts: letter.attempts,
      error: letter.error,
      failedAt: letter.failedAt.toISOString(),
    }));
  }
}
