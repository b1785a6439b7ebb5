import type { WebhookFailureReason } from '../errors/webhook-verification.error.js';

/**
 * The options every adapter shares, spelt once: the Nest module, `@VerifiedWebhook()`, the Express
 * middleware and `WebhookVerifier` take these names. Every duration is in milliseconds.
 */
export interface VerificationOptions {
  /** Freshness window for timestamped schemes; default the scheme's own. 0 turns the check off (not advised). */
  readonly toleranceMs?: number;
  /** How long a processed delivery is remembered at least. Default 300,000 (5 min). */
  readonly replayWindowMs?: number;
  /** How long a claim holds before it is renewed; after a crash the retry waits this long. Default 60,000. */
  readonly leaseMs?: number;
  /** Longest a running handler keeps its claim by renewing the lease. Default 600,000 (10 min). */
  readonly maxHoldMs?: number;
  /** Replay key prefix, one per application sharing a Redis. Default `vw:`. */
  readonly keyPrefix?: string;
  /** Process deliveries without replay protection while the store is unreachable. Off by default; logged when used. */
  readonly failOpen?: boolean;
  /** Injectable clock (ms since epoch), for tests. */
  readonly clock?: () => number;
  /** Longest header read before authentication. Default 8 KiB. */
  readonly maxHeaderLength?: number;
  /** Most signatures read from one header. Default 16. */
  readonly maxSignatures?: number;
}

/** How a delivery is read from HTTP and how its refusals and duplicates are answered. */
export interface HttpOptions {
  /** Largest body read before authentication, in bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Override the HTTP status answered for a reason, e.g. `{ signature_mismatch: 403 }`. */
  readonly statusCodes?: Partial<Record<WebhookFailureReason, number>>;
  /** Body answered to a duplicate of a processed delivery. Default `{ duplicate: true }`. */
  readonly duplicateResponse?: unknown;
  /**
   * The public base URL senders post to (e.g. `https://api.example.com`), for schemes that sign the
   * URL (Twilio, Square). Preferred over `trustProxyHeaders`.
   */
  readonly publicBaseUrl?: string;
  /**
   * Build the public URL from the last `X-Forwarded-Proto` / `X-Forwarded-Host` entries (the ones
   * your proxy added): only behind a proxy that sets them. Default false.
   */
  readonly trustProxyHeaders?: boolean;
  /** With `trustProxyHeaders`, fall back to the `Host` header when no `X-Forwarded-Host` is sent. Default false. */
  readonly trustHostHeader?: boolean;
  /** With `trustProxyHeaders`: the only hosts (`host` or `host:port`, lower case) a derived URL may name; others get 400. */
  readonly allowedHosts?: readonly string[];
}

/** The whole shared vocabulary. */
export interface WebhookOptions extends VerificationOptions, HttpOptions {}

/** Every default, defined once. */
export const WEBHOOK_DEFAULTS = {
  replayWindowMs: 5 * 60_000,
  leaseMs: 60_000,
  maxHoldMs: 10 * 60_000,
  keyPrefix: 'vw:',
  maxHeaderLength: 8 * 1024,
  maxSignatures: 16,
  bodyLimit: 1024 * 1024,
  duplicateResponse: { duplicate: true } as unknown,
} as const;

/**
 * Refuses at construction what would quietly turn a check off: `replayWindowMs: Number(env.X)` with
 * X unset is NaN, and a NaN or non-positive window or lease would let every replay through.
 */
export function assertWebhookOptions(options: WebhookOptions): void {
  const check = (name: string, value: number | undefined, ok: (value: number) => boolean, what: string) => {
    if (value !== undefined && !ok(value)) {
      throw new RangeError(`verified-webhooks: ${name} must be ${what}, got ${String(value)}`);
    }
  };
  const positive = (value: number) => Number.isFinite(value) && value > 0;
  const count = (value: number) => Number.isSafeInteger(value) && value > 0;
  check('toleranceMs', options.toleranceMs, (value) => Number.isFinite(value) && value >= 0, 'a number >= 0');
  check('replayWindowMs', options.replayWindowMs, positive, 'a number > 0');
  check('leaseMs', options.leaseMs, positive, 'a number > 0');
  check('maxHoldMs', options.maxHoldMs, positive, 'a number > 0');
  check('maxHeaderLength', options.maxHeaderLength, count, 'a whole number >= 1');
  check('maxSignatures', options.maxSignatures, count, 'a whole number >= 1');
  check('bodyLimit', options.bodyLimit, count, 'a whole number >= 1');
}
