import { hmac } from '../hmac.scheme.js';
import { bodyIdentity } from '../kit/body-event.js';
import { payloadString } from '../kit/payload-field.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface CustomerIoOptions {
  /** Scheme name for logs and the default endpoint. Default `customer-io`. */
  name?: string;
  /** Freshness window in ms for `X-CIO-Timestamp`, both directions. Default 5 minutes. */
  toleranceMs?: number;
}

/**
 * Customer.io reporting webhooks: `X-CIO-Signature` = hex HMAC-SHA256(the webhook signing key as
 * UTF-8, `v0:${X-CIO-Timestamp}:${rawBody}`), the timestamp in Unix seconds (Slack's `v0` formula,
 * without a `v0=` prefix on the signature). The signed body's `event_id` is the event id and keys
 * replays. The event type is `<object_type>.<metric>` (`email.opened`).
 */
export function customerIo(options: CustomerIoOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'customer-io',
      signatureHeader: 'x-cio-signature',
      timestampHeader: 'x-cio-timestamp',
      signedContent: 'v0:{timestamp}:{body}',
      toleranceMs: options.toleranceMs ?? 5 * 60_000,
    }),
    payloadFormat: 'json',
    ...bodyIdentity(['event_id']),
    eventType(payload: unknown): string | undefined {
      const objectType = payloadString(payload, ['object_type']);
      const metric = payloadString(payload, ['metric']);
      return objectType !== undefined && metric !== undefined ? `${objectType}.${metric}` : undefined;
    },
  };
}
