import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { VerifiedWebhook } from '@verified-webhooks/core';
import { webhookStateOf } from './webhook-request-state.js';

/**
 * The verified delivery: `@WebhookEvent() event: VerifiedWebhook<MyPayload>`, or one field of it:
 * `@WebhookEvent('payload')`, `@WebhookEvent('id')`.
 */
export const WebhookEvent = createParamDecorator(
  (field: keyof VerifiedWebhook | undefined, context: ExecutionContext): unknown => {
    const state = webhookStateOf(context.switchToHttp().getRequest<object>());
    if (!state) {
      throw new Error('@WebhookEvent() is used on a route without @VerifiedWebhook().');
    }
    return field ? state.event[field] : state.event;
  },
);
