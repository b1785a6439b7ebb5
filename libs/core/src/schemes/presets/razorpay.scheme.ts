import { hmac } from '../hmac.scheme.js';
import { eventTypeAt } from '../kit/payload-field.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface RazorpayOptions {
  /** Scheme name for logs and the default endpoint. Default `razorpay`. */
  name?: string;
}

/**
 * Razorpay: `X-Razorpay-Signature` = hex HMAC-SHA256(the webhook secret as UTF-8, rawBody), as the
 * SDK's `validateWebhookSignature`. No timestamp is signed. `x-razorpay-event-id` (the same on every
 * retry) is exposed as the event id but is not signed, so replays are keyed on a digest of the body.
 * The event type is the body's `event` (`payment.captured`, ...).
 */
export function razorpay(options: RazorpayOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'razorpay',
      signatureHeader: 'x-razorpay-signature',
      idHeader: 'x-razorpay-event-id',
    }),
    payloadFormat: 'json',
    eventType: eventTypeAt('event'),
  };
}
