import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { timestampedHmac } from '../families/timestamped-hmac.scheme.js';
import type { TimestampedHmacParsed } from '../families/timestamped-hmac.scheme.js';
import { eventTypeAt } from '../kit/payload-field.js';

export interface WorkOSOptions {
  /** Scheme name for logs and the default endpoint. Default `workos`. */
  name?: string;
  /** Freshness window in ms, both directions. Default 3 minutes, as `@workos-inc/node` (which checks too-old only). */
  toleranceMs?: number;
}

/**
 * WorkOS: `WorkOS-Signature: t=<unix ms>, v1=<hex>` = HMAC-SHA256(webhook secret as UTF-8,
 * `${t}.${rawBody}`) (docs/providers.md#workos). The SDK re-serialises the parsed body before
 * hashing; we hash the received bytes. The body's `id` (`event_…`, signed) is the event id and
 * replay identity, its `event` (`dsync.user.created`) the type.
 */
export function workos(options: WorkOSOptions = {}): WebhookScheme<Buffer, TimestampedHmacParsed> {
  return {
    ...timestampedHmac({
      name: options.name ?? 'workos',
      header: 'workos-signature',
      entrySeparator: ',',
      timestampKey: 't',
      signatureKey: 'v1',
      contentSeparator: '.',
      toleranceMs: options.toleranceMs ?? 3 * 60_000,
      timestampUnit: 'ms',
      bodyIdField: 'id',
    }),
    payloadFormat: 'json',
    eventType: eventTypeAt('event'),
  };
}
