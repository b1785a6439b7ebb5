import type { ExecutionContext, PipeTransform, Type } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { VerifiedWebhookEvent } from '@verified-webhooks/core';
import { webhookStateOf } from './webhook-request-state.js';

/**
 * The verified delivery: `@WebhookEvent() event: VerifiedWebhookEvent<MyPayload>`, or one field of it:
 * `@WebhookEvent('payload')`, `@WebhookEvent('id')`.
 *
 * Typed explicitly: the type `createParamDecorator` infers names Nest 12's `ParameterDecoratorOptions`,
 * which Nest 10 and 11 do not have, and these declarations are read against each of them.
 */
export const WebhookEvent: (
  ...dataOrPipes: (keyof VerifiedWebhookEvent | PipeTransform | Type<PipeTransform> | undefined)[]
) => ParameterDecorator = createParamDecorator(
  (field: keyof VerifiedWebhookEvent | undefined, context: ExecutionContext): unknown => {
    const state = webhookStateOf(context.switchToHttp().getRequest<object>());
    if (!state) {
      throw new Error('@WebhookEvent() is used on a route without @VerifiedWebhook().');
    }
    const event = state.verified.event;
    return field ? event[field] : event;
  },
);
