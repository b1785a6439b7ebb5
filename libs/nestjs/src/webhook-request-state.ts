import type { ReplayClaim, VerifiedWebhook } from '@verified-webhooks/core';
import { WEBHOOK_STATE } from './webhooks.tokens.js';

/** What the guard hands to the interceptor and to @WebhookEvent() for one request. */
export interface WebhookRequestState {
  readonly event: VerifiedWebhook;
  readonly duplicate: boolean;
  readonly claim: ReplayClaim | undefined;
  /** Set by the interceptor; until then the claim is released if the response closes without it. */
  handled: boolean;
}

/** Node's ServerResponse: Express hands it over as is, Fastify's reply wraps it in `raw`. */
export interface NodeResponse {
  readonly req?: object;
  /** Whether an answer was given (end() called) before the connection closed. */
  readonly writableEnded?: boolean;
  on?(event: 'close', listener: (this: NodeResponse) => void): unknown;
}

/** Express's request is Node's message; Fastify's wraps it in `raw`. */
interface HttpRequest {
  raw?: object;
  [WEBHOOK_STATE]?: WebhookRequestState;
}

// Kept on Node's IncomingMessage, which Express and Fastify both hand over. One property on the
// request and none on the response: adding a property to either costs over a microsecond.
export function setWebhookState(request: HttpRequest, state: WebhookRequestState): void {
  ((request.raw ?? request) as HttpRequest)[WEBHOOK_STATE] = state;
}

export function webhookStateOf(request: HttpRequest): WebhookRequestState | undefined {
  return ((request.raw ?? request) as HttpRequest)[WEBHOOK_STATE];
}

/**
 * A later guard or an earlier interceptor may answer the request before ours runs: then the
 * response closes without the interceptor, and the claim is released so the sender's retry is not
 * held off for the whole lease. A connection that closed before any answer went out (the sender
 * gave up) keeps its claim: Nest still runs the rest of the pipeline, our interceptor settles the
 * claim if the handler runs, and the lease frees it if it does not. Freeing it at once would let the
 * sender's retry run beside the handler. One listener function for every response, which finds the
 * state through the response's request: no closure and no property on the response per delivery.
 */
export function watchUnhandledClaim(response: NodeResponse): void {
  response.on?.('close', releaseUnhandledClaim);
}

function releaseUnhandledClaim(this: NodeResponse): void {
  const state = this.req && webhookStateOf(this.req);
  if (state && !state.handled && this.writableEnded) state.claim?.release().catch(() => undefined);
}
