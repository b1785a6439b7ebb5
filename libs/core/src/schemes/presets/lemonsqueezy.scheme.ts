import { hmac } from '../hmac.scheme.js';
import type { SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { eventTypeAt } from '../kit/payload-field.js';

export interface LemonSqueezyOptions {
  /** Scheme name for logs and the default endpoint. Default `lemonsqueezy`. */
  name?: string;
}

/**
 * Lemon Squeezy: `X-Signature: <hex HMAC-SHA256 of the raw body>` keyed with the webhook's signing
 * secret (docs/providers.md#lemon-squeezy). The type is `X-Event-Name` (unsigned), else the signed
 * body's `meta.event_name`. No timestamp and no delivery id: replays are keyed on a digest of the
 * body.
 */
export function lemonSqueezy(options: LemonSqueezyOptions = {}): WebhookScheme<Buffer> {
  const base = hmac({
    name: options.name ?? 'lemonsqueezy',
    signatureHeader: 'x-signature',
    typeHeader: 'x-event-name',
  });
  return {
    ...base,
    payloadFormat: 'json',
    eventType: eventTypeAt('meta', 'event_name'),
    sign: (input: SignInput) => base.sign({ ...input, type: input.type ?? 'order_created' }),
  };
}
