import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { timestampedHmac } from '../families/timestamped-hmac.scheme.js';
import type { TimestampedHmacParsed } from '../families/timestamped-hmac.scheme.js';

export interface MuxOptions {
  /** Scheme name for logs and the default endpoint. Default `mux`. */
  name?: string;
  /** Freshness window in ms, both directions. Default 300 s, as `@mux/mux-node` (which checks too-old only). */
  toleranceMs?: number;
}

/**
 * Mux: `Mux-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]` = HMAC-SHA256(signing secret as UTF-8,
 * `${t}.${rawBody}`); any `v1` may match. Replay identity: the body's `id` (signed).
 */
export function mux(options: MuxOptions = {}): WebhookScheme<Buffer, TimestampedHmacParsed> {
  return timestampedHmac({
    name: options.name ?? 'mux',
    header: 'mux-signature',
    entrySeparator: ',',
    timestampKey: 't',
    signatureKey: 'v1',
    contentSeparator: '.',
    toleranceMs: options.toleranceMs ?? 300_000,
    bodyIdField: 'id',
  });
}
