import { Controller, HttpCode, Post } from '@nestjs/common';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import { VerifiedWebhook, WebhookEvent } from '@verified-webhooks/nestjs';
import { EventsService } from './events.service.js';
import { hmacScheme } from './sample-schemes.js';

/** One route per sender. Nothing here runs unless the delivery is authentic, fresh and new. */
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly events: EventsService) {}

  @Post('standard')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'standard' })
  standard(@WebhookEvent() event: VerifiedWebhookEvent) {
    return { received: this.events.record(event).id };
  }

  @Post('hmac')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: hmacScheme, endpoint: 'hmac' })
  hmac(@WebhookEvent() event: VerifiedWebhookEvent) {
    return { received: this.events.record(event).id };
  }

  @Post('tenants/:tenant')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'tenants', tenantParam: 'tenant' })
  tenant(@WebhookEvent() event: VerifiedWebhookEvent) {
    return { received: this.events.record(event).id };
  }
}
