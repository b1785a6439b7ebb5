import { hmac } from '../hmac.scheme.js';
import { bodyIdentity } from '../kit/body-event.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface CheckoutComOptions {
  /** Scheme name for logs and the default endpoint. Default `checkout-com`. */
  name?: string;
}

/**
 * Checkout.com: `Cko-Signature` = hex HMAC-SHA256(the webhook's signature key as UTF-8, rawBody).
 * No timestamp. The signed body's `id` (`evt_…`) is the event id and keys replays; its `type`
 * (`payment_approved`, ...) names the event.
 */
export function checkoutCom(options: CheckoutComOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({ name: options.name ?? 'checkout-com', signatureHeader: 'cko-signature' }),
    payloadFormat: 'json',
    ...bodyIdentity(['id']),
  };
}
