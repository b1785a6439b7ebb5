import { hmac } from '../hmac.scheme.js';
import { batchEventNames, bodyIdentity } from '../kit/body-event.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface GoCardlessOptions {
  /** Scheme name for logs and the default endpoint. Default `gocardless`. */
  name?: string;
}

/**
 * GoCardless: `Webhook-Signature` = hex HMAC-SHA256(the webhook endpoint secret as UTF-8, rawBody),
 * as `gocardless-nodejs` `webhooks.parse` checks it. No timestamp. One request carries a batch of
 * `events`; the signed body's `meta.webhook_id` (the same on every retry) is the event id and keys
 * replays. Handlers are dispatched per event as `<resource_type>.<action>` (`payments.confirmed`).
 * GoCardless documents 498 for an invalid signature: set `statusCodes: { signature_mismatch: 498 }`
 * to answer as it expects (the default 401 is also treated as a failure and retried).
 */
export function gocardless(options: GoCardlessOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({ name: options.name ?? 'gocardless', signatureHeader: 'webhook-signature' }),
    payloadFormat: 'json',
    ...bodyIdentity(['meta', 'webhook_id']),
    eventNames: batchEventNames(['events'], (event) =>
      typeof event.resource_type === 'string' && typeof event.action === 'string'
        ? `${event.resource_type}.${event.action}`
        : undefined,
    ),
  };
}
