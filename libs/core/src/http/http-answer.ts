import type { WebhookFailureReason } from '../errors/webhook-verification.error.js';
import {
  DEFAULT_STATUS_BY_REASON,
  isWebhookVerificationError,
  WebhookVerificationError,
} from '../errors/webhook-verification.error.js';
import type { HandshakeReply } from '../schemes/webhook-scheme.interface.js';

/** What an adapter writes: a status, headers, and a body (an object is sent as JSON, a string as is). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** A refusal's answer, and the line to log (undefined when it is not logged, or rate-limited away). */
export interface HttpRefusal extends HttpAnswer {
  /** The refusal as it was raised; its `reason` is the real one, for metrics. */
  readonly failure: WebhookVerificationError;
  readonly body: {
    readonly statusCode: number;
    readonly error: WebhookFailureReason;
    readonly message: string;
  };
  readonly log: { readonly level: 'error' | 'warn' | 'debug'; readonly line: string } | undefined;
}

/** Reasons that mean the app is misconfigured, not that the sender erred: logged as errors, answered without detail. */
const MISCONFIGURATION: ReadonlySet<WebhookFailureReason> = new Set([
  'internal_error',
  'raw_body_unavailable',
  'invalid_secret',
  'missing_public_url',
]);

/**
 * How to answer and log a refused delivery. An unknown endpoint or tenant is answered exactly like
 * a wrong signature, so probing does not tell which tenants exist; the log keeps the real reason.
 * Anything that is not a WebhookVerificationError is an `internal_error` (500).
 */
export function refusalAnswer(
  error: unknown,
  endpoint: string,
  statusCodes: Partial<Record<WebhookFailureReason, number>> = {},
): HttpRefusal {
  const failure = isWebhookVerificationError(error)
    ? error
    : new WebhookVerificationError('internal_error', 'Verification failed unexpectedly.', { cause: error });
  const answered: WebhookFailureReason =
    failure.reason === 'unknown_endpoint' ? 'signature_mismatch' : failure.reason;
  const status = statusCodes[answered] ?? DEFAULT_STATUS_BY_REASON[answered];
  const misconfigured = MISCONFIGURATION.has(failure.reason);
  const cause = failure.cause instanceof Error ? `: ${failure.cause.message}` : '';
  const message = misconfigured
    ? 'The webhook endpoint is misconfigured.'
    : answered === failure.reason
      ? failure.message
      : 'No signature matches the configured secret(s).';
  return {
    failure,
    status,
    headers:
      failure.retryAfterMs === undefined
        ? {}
        : { 'retry-after': String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000))) },
    body: { statusCode: status, error: answered, message },
    log: {
      level: misconfigured
        ? 'error'
        : status >= 500 || failure.reason === 'unknown_endpoint'
          ? 'warn'
          : 'debug',
      line: misconfigured
        ? `${endpoint}: ${failure.message}${cause}`
        : `${endpoint}: refused (${failure.reason})${cause}`,
    },
  };
}

/** A handshake reply as an answer: text bodies get a text content type unless the scheme set one. */
export function handshakeAnswer(reply: HandshakeReply): HttpAnswer {
  const headers: Record<string, string> = { ...reply.headers };
  const body = Buffer.isBuffer(reply.body) ? reply.body.toString('utf8') : reply.body;
  const named = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (!named && body !== undefined && body !== null) {
    headers['content-type'] =
      typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  }
  return { status: reply.status, headers, body };
}
