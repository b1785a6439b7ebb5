import { hmac } from '../hmac.scheme.js';
import { eventTypeAt } from '../kit/payload-field.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface PaystackOptions {
  /** Scheme name for logs and the default endpoint. Default `paystack`. */
  name?: string;
}

/**
 * Paystack: `x-paystack-signature` = hex HMAC-SHA512(the account's secret key as UTF-8, rawBody).
 * No timestamp and no delivery id: replays are keyed on a digest of the body. The event
 * type is the body's `event` (`charge.success`, ...).
 */
export function paystack(options: PaystackOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'paystack',
      signatureHeader: 'x-paystack-signature',
      algorithm: 'sha512',
    }),
    payloadFormat: 'json',
    eventType: eventTypeAt('event'),
  };
}
