import type { ReplayClaim, VerifiedWebhook } from '@verified-webhooks/core';

/** What the guard hands to the interceptor and to @WebhookEvent() for one request. */
export interface WebhookRequestState {
  readonly event: VerifiedWebhook;
  readonly duplicate: boolean;
  readonly claim: ReplayClaim | undefined;
  /** Node's ServerResponse, to tell when a request refused after the guard is over. */
  readonly response: NodeResponse;
  /** Set by the interceptor; until then the claim is released if the response ends without it. */
  handled: boolean;
}

export interface NodeResponse {
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
}

/**
 * Kept on Node's IncomingMessage, which Express and Fastify both hand over. One property on the
 * request and none on the response: adding a property to either costs over a microsecond.
 */
const WEBHOOK_STATE = Symbol('verified-webhooks:state');

/** Express's request is Node's message; Fastify's wraps it in `raw`. */
interface HttpRequest {
  raw?: object;
  [WEBHOOK_STATE]?: WebhookRequestState;
}

export function setWebhookState(request: HttpRequest, state: WebhookRequestState): void {
  ((request.raw ?? request) as HttpRequest)[WEBHOOK_STATE] = state;
}

export function webhookStateOf(request: HttpRequest): WebhookRequestState | undefined {
  return ((request.raw ?? request) as HttpRequest)[WEBHOOK_STATE];
}

/**
 * Claims whose request passed the guard but has not reached the interceptor yet. A later guard or
 * an earlier interceptor may still refuse it; then the response ends without the interceptor and
 * the claim is released, so the sender's retry is not held off for the whole lease. Checked on a
 * timer rather than by a 'close' listener per response: in steady state this set holds only the
 * requests between guard and interceptor, and adding a listener costs more than the check.
 */
const awaitingInterceptor = new Set<WebhookRequestState>();
const CHECK_INTERVAL_MS = 100;
let checkTimer: NodeJS.Timeout | undefined;

export function watchUnhandledClaim(state: WebhookRequestState): void {
  awaitingInterceptor.add(state);
  if (!checkTimer) {
    checkTimer = setInterval(releaseUnhandledClaims, CHECK_INTERVAL_MS);
    checkTimer.unref();
  }
}

export function markHandled(state: WebhookRequestState): void {
  state.handled = true;
  awaitingInterceptor.delete(state);
}

function releaseUnhandledClaims(): void {
  for (const state of awaitingInterceptor) {
    if (!state.response.writableEnded && !state.response.destroyed) continue;
    awaitingInterceptor.delete(state);
    state.claim?.release().catch(() => undefined);
  }
  if (awaitingInterceptor.size === 0) {
    clearInterval(checkTimer);
    checkTimer = undefined;
  }
}
