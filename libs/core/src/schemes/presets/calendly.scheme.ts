import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { timestampedHmac } from '../families/timestamped-hmac.scheme.js';
import type { TimestampedHmacParsed } from '../families/timestamped-hmac.scheme.js';
import { eventTypeAt } from '../kit/payload-field.js';

export interface CalendlyOptions {
  /** Scheme name for logs and the default endpoint. Default `calendly`. */
  name?: string;
  /** Freshness window in ms, both directions. Default 3 minutes, as Calendly's documentation advises. */
  toleranceMs?: number;
}

/**
 * Calendly: `Calendly-Webhook-Signature: t=<unix s>,v1=<hex>` = HMAC-SHA256(webhook signing key,
 * `${t}.${rawBody}`) (docs/providers.md#calendly). The body's `event` (`invitee.created`) is the
 * type; there is no delivery id, so replays are keyed on a digest of the signed body.
 */
export function calendly(options: CalendlyOptions = {}): WebhookScheme<Buffer, TimestampedHmacParsed> {
  return {
    ...timestampedHmac({
      name: options.name ?? 'calendly',
      header: 'calendly-webhook-signature',
      entrySeparator: ',',
      timestampKey: 't',
      signatureKey: 'v1',
      contentSeparator: '.',
      toleranceMs: options.toleranceMs ?? 3 * 60_000,
    }),
    payloadFormat: 'json',
    eventType: eventTypeAt('event'),
  };
}
