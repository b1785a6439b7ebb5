import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { VerifiedWebhookEvent } from '@verified-webhooks/core';
import { webhookStateOf } from './webhook-request-state.js';

/**
 * The verified delivery: `@WebhookEvent() event: VerifiedWebhookEvent<MyPayload>`, or one field of it:
 * `@WebhookEvent('payload')`, `@WebhookEvent('id')`.
 */
export const WebhookEvent = createParamDecorator(
  (field: keyof VerifiedWebhookEvent | undefined, context: ExecutionContext): unknown => {
    const state = webhookStateOf(context.switchToHttp().getRequest<object>());
    if (!state) {
      throw new Error('@WebhookEvent() is used on a route without @VerifiedWebhook().');
    }
    const event = state.verified.event;
    return field ? event[field] : event;
  },
);
