import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { timestampedHmac } from '../families/timestamped-hmac.scheme.js';
import type { TimestampedHmacParsed } from '../families/timestamped-hmac.scheme.js';

export interface SanityOptions {
  /** Scheme name for logs and the default endpoint. Default `sanity`. */
  name?: string;
  /** Freshness window in ms, both directions. Default 5 minutes (`@sanity/webhook` checks none). */
  toleranceMs?: number;
}

/**
 * Sanity GROQ-powered webhooks: `sanity-webhook-signature: t=<unix ms>,v1=<unpadded base64url>` =
 * HMAC-SHA256(webhook secret as UTF-8, `${t}.${rawBody}`) (docs/providers.md#sanity). The body is a
 * projection you define, so it carries no standard id; replays are keyed on a digest of the signed
 * body. Sanity's `idempotency-key` and `sanity-*` headers are not signed and are not trusted.
 */
export function sanity(options: SanityOptions = {}): WebhookScheme<Buffer, TimestampedHmacParsed> {
  return {
    ...timestampedHmac({
      name: options.name ?? 'sanity',
      header: 'sanity-webhook-signature',
      entrySeparator: ',',
      timestampKey: 't',
      signatureKey: 'v1',
      contentSeparator: '.',
      toleranceMs: options.toleranceMs ?? 5 * 60_000,
      timestampUnit: 'ms',
      signatureEncoding: 'base64url',
    }),
    payloadFormat: 'json',
  };
}
