import { Controller, HttpCode, Post } from '@nestjs/common';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import { VerifiedWebhook, WebhookEvent } from '@verified-webhooks/nestjs';
import { EventsService } from './events.service.js';
import { hmacScheme } from './sample-schemes.js';

/**
 * One route per sender. Nothing here runs unless the delivery is authentic, fresh and new;
 * provider handshakes (Slack url_verification, ...) are answered before the handler.
 */
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly events: EventsService) {}

  @Post('standard')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'standard' })
  standard(@WebhookEvent() event: VerifiedWebhookEvent) {
    return this.record(event);
  }

  // Stripe and GitHub deliveries are handled by type in ProviderHandlers (@OnWebhookEvent);
  // these methods run after the handlers and only answer.
  @Post('stripe')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'stripe', endpoint: 'stripe' })
  stripe(@WebhookEvent('id') id: string | undefined) {
    return { received: id ?? null };
  }

  @Post('github')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'github', endpoint: 'github' })
  github(@WebhookEvent('id') id: string | undefined) {
    return { received: id ?? null };
  }

  @Post('shopify')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'shopify', endpoint: 'shopify' })
  shopify(@WebhookEvent() event: VerifiedWebhookEvent) {
    return this.record(event);
  }

  @Post('slack')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'slack', endpoint: 'slack' })
  slack(@WebhookEvent() event: VerifiedWebhookEvent) {
    return this.record(event);
  }

  @Post('momento')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'momento', endpoint: 'momento' })
  momento(@WebhookEvent() event: VerifiedWebhookEvent) {
    return this.record(event);
  }

  @Post('hmac')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: hmacScheme, endpoint: 'hmac' })
  hmac(@WebhookEvent() event: VerifiedWebhookEvent) {
    return this.record(event);
  }

  @Post('servicestack')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'servicestack', endpoint: 'servicestack' })
  serviceStack(@WebhookEvent() event: VerifiedWebhookEvent) {
    return this.record(event);
  }

  @Post('tenants/:tenant')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'tenants', tenantParam: 'tenant' })
  tenant(@WebhookEvent() event: VerifiedWebhookEvent) {
    return this.record(event);
  }

  // Durable: answered 202 {"queued": id} once stored; QueuedHandlers runs in the worker, with retries.
  @Post('queued/standard')
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'queued-standard', processing: 'queue' })
  queued() {}

  private async record(event: VerifiedWebhookEvent) {
    return { received: (await this.events.record(event)).id ?? null };
  }
}
