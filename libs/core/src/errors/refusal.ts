import type { WebhookFailureReason } from './webhook-verification.error.js';
import { isWebhookVerificationError, WebhookVerificationError } from './webhook-verification.error.js';

/** Reasons that mean the app is misconfigured, not that the sender erred: logged as errors, answered without detail. */
const MISCONFIGURATION: ReadonlySet<WebhookFailureReason> = new Set([
  'internal_error',
  'raw_body_unavailable',
  'invalid_secret',
  'missing_public_url',
]);

/** How to answer and log a refused delivery; shared by the Nest guard and the Express middleware. */
export interface Refusal {
  readonly failure: WebhookVerificationError;
  readonly status: number;
  /** The JSON body: a reason code and a message that never carries a secret. */
  readonly body: {
    readonly statusCode: number;
    readonly error: WebhookFailureReason;
    readonly message: string;
  };
  /** `error` for misconfiguration, `warn` for 5xx and unknown endpoints (operators act on them), else `debug`. */
  readonly logLevel: 'error' | 'warn' | 'debug';
  /** The line to log: endpoint, reason, and the store's or resolver's own error text (never a secret). */
  readonly logLine: string;
  /** For `Retry-After`, in whole seconds. */
  readonly retryAfterSeconds: number | undefined;
}

export function describeRefusal(
  error: unknown,
  endpoint: string,
  statusCodes: Partial<Record<WebhookFailureReason, number>> = {},
): Refusal {
  const failure = isWebhookVerificationError(error)
    ? error
    : new WebhookVerificationError('secret_resolver_failed', 'Verification failed unexpectedly.', {
        cause: error,
      });
  const status = statusCodes[failure.reason] ?? failure.status;
  const misconfigured = MISCONFIGURATION.has(failure.reason);
  const cause = failure.cause instanceof Error ? `: ${failure.cause.message}` : '';
  return {
    failure,
    status,
    body: {
      statusCode: status,
      error: failure.reason,
      message: misconfigured ? 'The webhook endpoint is misconfigured.' : failure.message,
    },
    logLevel: misconfigured
      ? 'error'
      : status >= 500 || failure.reason === 'unknown_endpoint'
        ? 'warn'
        : 'debug',
    logLine: misconfigured
      ? `${endpoint}: ${failure.message}`
      : `${endpoint}: refused (${failure.reason})${cause}`,
    retryAfterSeconds:
      failure.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(failure.retryAfterMs / 1000)),
  };
}
