import type { ReplayClaim, VerifiedWebhook } from '@verified-webhooks/core';

/** What the guard hands to the interceptor through the request. */
export interface WebhookRequestState {
  readonly event: VerifiedWebhook;
  readonly duplicate: boolean;
  readonly claim: ReplayClaim | undefined;
  /** Set by the interceptor; until then the guard's close hook releases an orphaned claim. */
  handled: boolean;
}
