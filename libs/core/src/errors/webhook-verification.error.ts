/**
 * Why a delivery was refused. The code is safe to return to the sender: it never carries a secret,
 * an expected signature or anything that helps forge one.
 */
export type WebhookFailureReason =
  | 'malformed_header'
  | 'missing_header'
  | 'missing_signature'
  | 'malformed_signature'
  | 'too_many_signatures'
  | 'signature_mismatch'
  | 'timestamp_expired'
  | 'timestamp_in_future'
  | 'unknown_endpoint'
  | 'secret_resolver_failed'
  | 'invalid_secret'
  | 'body_too_large'
  | 'body_read_failed'
  | 'raw_body_unavailable'
  | 'unsupported_content_encoding'
  | 'missing_public_url'
  | 'internal_error'
  | 'replay_in_flight'
  | 'replay_store_unavailable'
  | 'queue_unavailable'
  | 'key_fetch_failed';

/** The HTTP status each reason maps to unless the application overrides it. */
export const DEFAULT_STATUS_BY_REASON: Readonly<Record<WebhookFailureReason, number>> = {
  malformed_header: 400,
  missing_header: 400,
  malformed_signature: 400,
  too_many_signatures: 400,
  missing_signature: 401,
  signature_mismatch: 401,
  timestamp_expired: 401,
  timestamp_in_future: 401,
  unknown_endpoint: 401,
  secret_resolver_failed: 503,
  invalid_secret: 500,
  body_too_large: 413,
  body_read_failed: 400,
  raw_body_unavailable: 500,
  unsupported_content_encoding: 415,
  missing_public_url: 500,
  internal_error: 500,
  replay_in_flight: 409,
  replay_store_unavailable: 503,
  queue_unavailable: 503,
  key_fetch_failed: 503,
};

export interface WebhookVerificationErrorOptions {
  /** For `replay_in_flight`: when the sender may usefully try again. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The one error the library throws for a refused delivery; `reason` says why, `status` what to answer. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly reason: WebhookFailureReason,
    message: string,
    options: WebhookVerificationErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = DEFAULT_STATUS_BY_REASON[reason];
    this.retryAfterMs = options.retryAfterMs;
  }
}

export const isWebhookVerificationError = (error: unknown): error is WebhookVerificationError =>
  error instanceof WebhookVerificationError;
