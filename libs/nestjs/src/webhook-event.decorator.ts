import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { VerifiedWebhook } from '@verified-webhooks/core';
import type { WebhookRequestState } from './webhook-request-state.js';
import { WEBHOOK_STATE } from './webhooks.tokens.js';

/**
 * The verified delivery: `@WebhookEvent() event: VerifiedWebhook<MyPayload>`, or one field of it:
 * `@WebhookEvent('payload')`, `@WebhookEvent('id')`.
 */
export const WebhookEvent = createParamDecorator(
  (field: keyof VerifiedWebhook | undefined, context: ExecutionContext): unknown => {
    const request = context.switchToHttp().getRequest<{ [WEBHOOK_STATE]?: WebhookRequestState }>();
    const state = request[WEBHOOK_STATE];
    if (!state) {
      throw new Error('@WebhookEvent() is used on a route without @VerifiedWebhook().');
    }
    return field ? state.event[field] : state.event;
  },
);
