import { applyDecorators, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import type { AnyWebhookScheme, PresetName } from '@verified-webhooks/core';
import { VerifiedWebhookGuard } from './verified-webhook.guard.js';
import { WebhookReplayInterceptor } from './webhook-replay.interceptor.js';
import type { VerifiedWebhookOptions } from './webhooks-options.interface.js';
import { VERIFIED_WEBHOOK_METADATA } from './webhooks.tokens.js';

/**
 * Verifies the route's deliveries before the handler runs: signature over the raw bytes, freshness,
 * replay. On a method or a controller class.
 *
 *     @Post('stripe') @VerifiedWebhook('stripe') handle(@WebhookEvent() event: VerifiedWebhookEvent) {}
 */
export function VerifiedWebhook(
  schemeOrOptions: PresetName | AnyWebhookScheme | VerifiedWebhookOptions,
): MethodDecorator & ClassDecorator {
  const options: VerifiedWebhookOptions =
    typeof schemeOrOptions === 'string' || isScheme(schemeOrOptions)
      ? { scheme: schemeOrOptions }
      : schemeOrOptions;
  return applyDecorators(
    SetMetadata(VERIFIED_WEBHOOK_METADATA, options),
    UseGuards(VerifiedWebhookGuard),
    UseInterceptors(WebhookReplayInterceptor),
  );
}

function isScheme(value: AnyWebhookScheme | VerifiedWebhookOptions): value is AnyWebhookScheme {
  return typeof (value as AnyWebhookScheme).verify === 'function';
}
