import '@verified-webhooks/core/typings/github';
import '@verified-webhooks/core/typings/stripe';
import { Injectable, Logger } from '@nestjs/common';
import type { WebhookEventOf, WebhookHandlerContext } from '@verified-webhooks/nestjs';
import { OnWebhookEvent } from '@verified-webhooks/nestjs';
import { EventsService } from './events.service.js';

/**
 * Typed handlers for the Stripe and GitHub routes (the typings above make a misspelt event name a
 * compile error and type each payload from the provider's own package). Your business logic goes
 * here; the routes' own methods only answer.
 */
@Injectable()
export class ProviderHandlers {
  private readonly logger = new Logger('ProviderHandlers');

  constructor(private readonly events: EventsService) {}

  @OnWebhookEvent('stripe', 'invoice.paid')
  onInvoicePaid(event: WebhookEventOf<'stripe', 'invoice.paid'>, { idempotencyKey }: WebhookHandlerContext) {
    // Key your own side effects (a charge, an email) on idempotencyKey: a retry carries the same one.
    const invoice = event.payload.data.object;
    this.logger.log(`invoice ${invoice.id} paid: ${invoice.amount_paid} (idempotency key ${idempotencyKey})`);
  }

  @OnWebhookEvent('github', 'pull_request.*')
  onPullRequest(event: WebhookEventOf<'github', 'pull_request.*'>) {
    this.logger.log(`pull request #${event.payload.pull_request.number} ${event.payload.action}`);
  }

  /** Every Stripe and GitHub delivery is recorded for GET /events, whatever its type. */
  @OnWebhookEvent('stripe', '*')
  @OnWebhookEvent('github', '*')
  async record(event: WebhookEventOf<'stripe'> | WebhookEventOf<'github'>) {
    await this.events.record(event);
  }
}
