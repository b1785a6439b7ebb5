import type { VerifiedDeliveryResult, WebhookHeaders } from '@verified-webhooks/core';
import type { WebhookSpan } from './tracing/webhook-tracing.js';
import type { WebhookRoute } from './webhook-routes.service.js';

/** What the guard hands to the interceptor and to @WebhookEvent() for one request. */
export interface WebhookRequestState {
  readonly route: WebhookRoute;
  readonly verified: VerifiedDeliveryResult;
  /** The request's headers, kept with a queued delivery. */
  readonly headers: WebhookHeaders;
  /** Set by the first of our interceptors: @VerifiedWebhook() on class and method lists it twice. */
  intercepted: boolean;
  /** The verification's span (ended): the parent of what the interceptor does next. */
  readonly span?: WebhookSpan;
}

/** Express's request is Node's message; Fastify's wraps it in `raw`. */
interface HttpRequest {
  raw?: object;
}

const WEBHOOK_STATE = Symbol('verified-webhooks:state');

// Kept on Node's IncomingMessage, which Express and Fastify both hand over.
export function setWebhookState(request: HttpRequest, state: WebhookRequestState): void {
  ((request.raw ?? request) as Record<symbol, unknown>)[WEBHOOK_STATE] = state;
}

export function webhookStateOf(request: HttpRequest): WebhookRequestState | undefined {
  return ((request.raw ?? request) as Record<symbol, unknown>)[WEBHOOK_STATE] as
    WebhookRequestState | undefined;
}
