import { hmac } from '../hmac.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface PagerDutyOptions {
  /** Scheme name for logs and the default endpoint. Default `pagerduty`. */
  name?: string;
}

/**
 * PagerDuty Webhooks v3: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]` = HMAC-SHA256(subscription
 * secret as UTF-8, rawBody); any `v1` may match (PagerDuty sends several while rotating). Entries of
 * other versions are skipped. No timestamp: replays are caught only while the replay store remembers
 * the body. `X-Webhook-Id` (unconfirmed, unsigned) is reported as the event id but never trusted.
 */
export function pagerduty(options: PagerDutyOptions = {}): WebhookScheme<Buffer> {
  return hmac({
    name: options.name ?? 'pagerduty',
    signatureHeader: 'x-pagerduty-signature',
    prefix: 'v1=',
    separator: ',',
    idHeader: 'x-webhook-id',
  });
}
