import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { timestampedHmac } from '../families/timestamped-hmac.scheme.js';
import type { TimestampedHmacParsed } from '../families/timestamped-hmac.scheme.js';

export interface PaddleOptions {
  /** Scheme name for logs and the default endpoint. Default `paddle`. */
  name?: string;
  /**
   * Freshness window in ms, both directions. Default 60 s. Paddle's SDK uses 5 s (too-old only);
   * with both directions checked, 5 s turns a few seconds of clock skew or a slow proxy into
   * refused deliveries. Replays inside the window are caught by the replay store (keyed on the
   * signed body `event_id`). Set `toleranceMs: 5_000` for the SDK's strictness.
   */
  toleranceMs?: number;
}

/** Paddle's SDK default (`WebhooksValidator.MAX_VALID_TIME_DIFFERENCE`, seconds), for reference. */
export const PADDLE_SDK_TOLERANCE_MS = 5_000;
export const PADDLE_DEFAULT_TOLERANCE_MS = 60_000;

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=<hex>…]` = HMAC-SHA256(secret as UTF-8,
 * `${ts}:${rawBody}`). Every `h1` is tried (secret rotation); Paddle's own SDK keeps only the last.
 * Replay identity: the body's `event_id` (signed), else a digest of the body.
 */
export function paddle(options: PaddleOptions = {}): WebhookScheme<Buffer, TimestampedHmacParsed> {
  return timestampedHmac({
    name: options.name ?? 'paddle',
    header: 'paddle-signature',
    entrySeparator: ';',
    timestampKey: 'ts',
    signatureKey: 'h1',
    contentSeparator: ':',
    toleranceMs: options.toleranceMs ?? PADDLE_DEFAULT_TOLERANCE_MS,
    bodyIdField: 'event_id',
  });
}
