import { HttpException } from '@nestjs/common';
import type { Logger } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { WebhookHttpReceiver } from '@verified-webhooks/core';
import type { WebhookMetrics } from './webhook-metrics.js';

/**
 * A refusal as the HttpException Nest answers with (the app's filters see it, as they should),
 * logged, counted by its real reason, with its headers (Retry-After) set through the adapter.
 */
export function webhookRefusal(
  error: unknown,
  receiver: WebhookHttpReceiver,
  context: { adapter: AbstractHttpAdapter; response: unknown; logger: Logger; metrics: WebhookMetrics },
): HttpException {
  const refusal = receiver.refusal(error);
  if (refusal.log) context.logger[refusal.log.level](refusal.log.line);
  const { scheme, endpoint } = receiver.verifier;
  context.metrics.delivery(scheme.name, endpoint, refusal.failure.reason);
  for (const [name, value] of Object.entries(refusal.headers)) {
    context.adapter.setHeader(context.response, name, value);
  }
  return new HttpException(refusal.body, refusal.status, { cause: refusal.failure });
}
