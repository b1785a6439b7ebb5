import { hmac } from '../hmac.scheme.js';
import { bodyIdentity } from '../kit/body-event.js';
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
 * replays. Handlers are dispatched on `<object_type>.<metric>` (`email.opened`).
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
    eventNames(type: string | undefined, payload: unknown): string[] | undefined {
      const body =
        typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
      return typeof body.object_type === 'string' && typeof body.metric === 'string'
        ? [`${body.object_type}.${body.metric}`]
        : type === undefined
          ? undefined
          : [type];
    },
  };
}
