import type { IncomingMessage } from 'node:http';
import type { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import type { HandshakeReply } from '../schemes/webhook-scheme.interface.js';
import type { HttpOptions } from '../verify/webhook-options.js';
import { WEBHOOK_DEFAULTS } from '../verify/webhook-options.js';
import type {
  ClaimOutcome,
  Verification,
  VerifiedDeliveryResult,
  WebhookRequest,
  WebhookVerifier,
} from '../verify/webhook-verifier.js';
import { handshakeQuery } from './handshake-query.js';
import type { HttpAnswer, HttpRefusal } from './http-answer.js';
import { handshakeAnswer, refusalAnswer } from './http-answer.js';
import { derivedPublicUrl } from './public-url.js';
import { contentEncodingRefusal, readRawBody } from './read-raw-body.js';
import { headersWithRepeats } from './repeated-headers.js';

/** One HTTP request as an adapter hands it over: Node's message and what its framework parsed. */
export interface HttpRequestParts {
  /** Node's message (Express's request; Fastify's `request.raw`): headers, method, the body stream. */
  readonly message: IncomingMessage;
  /** The path and query the sender posted to (Express's `originalUrl`); default the message's `url`. */
  readonly target?: string | undefined;
  readonly params?: Readonly<Record<string, string>> | undefined;
  /** Read only for schemes with handshakes: Express 5 parses the query on every access. */
  readonly query?: (() => unknown) | undefined;
  /** The bytes a platform kept (`rawBody: true`, `express.raw()`). */
  readonly rawBody?: Buffer | undefined;
  /** Whatever a body parser produced; defined means the stream was consumed. */
  readonly parsedBody?: unknown;
}

export interface WebhookHttpReceiverOptions extends HttpOptions {
  /** The route parameter that names the tenant (secrets and replay keys are per tenant). */
  readonly tenantParam?: string | undefined;
}

/** Unknown-endpoint warnings are logged at most this often per route: probes must not flood the log. */
const UNKNOWN_ENDPOINT_LOG_INTERVAL_MS = 60_000;

/**
 * The HTTP seam every adapter uses (the Nest guard and interceptor, the Express middleware): an HTTP
 * request becomes a `WebhookRequest`, a refusal, handshake or duplicate becomes an answer. A fix to
 * how a request is read or answered lands here once.
 */
export class WebhookHttpReceiver {
  readonly bodyLimit: number;
  private unknownEndpointLoggedAt = Number.NEGATIVE_INFINITY;
  private unknownEndpointSuppressed = 0;

  constructor(
    readonly verifier: WebhookVerifier,
    private readonly options: WebhookHttpReceiverOptions = {},
  ) {
    this.bodyLimit = options.bodyLimit ?? WEBHOOK_DEFAULTS.bodyLimit;
  }

  /** Steps 2–6: the raw body, then the verifier. Rejects with WebhookVerificationError. */
  async verify(parts: HttpRequestParts): Promise<Verification> {
    const rawBody = await readRawBody(parts, this.bodyLimit);
    return this.verifier.verify(this.webhookRequest(parts, rawBody));
  }

  /**
   * The refusal a request gets from its headers alone, before its body is read: a `Content-Encoding`
   * (415 `unsupported_content_encoding`). `verify` checks it first; an adapter whose platform parses
   * the body before the guard runs (Fastify) asks here first, so the answer is the same.
   */
  refusalBeforeBody(message: Pick<IncomingMessage, 'headers'>): WebhookVerificationError | undefined {
    return contentEncodingRefusal(message.headers['content-encoding']);
  }

  /** Step 7, the replay claim. */
  claim(verified: VerifiedDeliveryResult): Promise<ClaimOutcome> {
    return this.verifier.claim(verified);
  }

  webhookRequest(parts: HttpRequestParts, rawBody: Buffer): WebhookRequest {
    const message = parts.message;
    const params = parts.params ?? {};
    const tenantParam = this.options.tenantParam;
    const headers = headersWithRepeats(message);
    return {
      headers,
      rawBody,
      params,
      tenant: tenantParam === undefined ? undefined : params[tenantParam],
      method: message.method,
      url: derivedPublicUrl(headers, parts.target ?? message.url, this.options),
      query: handshakeQuery(this.verifier.scheme, parts.query),
    };
  }

  /** The answer to a refusal, with its log line (unknown endpoints: one line a minute, with a count). */
  refusal(error: unknown): HttpRefusal {
    const refusal = refusalAnswer(error, this.verifier.endpoint, this.options.statusCodes);
    if (refusal.failure.reason !== 'unknown_endpoint' || !refusal.log) return refusal;
    const now = Date.now();
    if (now - this.unknownEndpointLoggedAt < UNKNOWN_ENDPOINT_LOG_INTERVAL_MS) {
      this.unknownEndpointSuppressed++;
      return { ...refusal, log: undefined };
    }
    const suppressed = this.unknownEndpointSuppressed;
    this.unknownEndpointLoggedAt = now;
    this.unknownEndpointSuppressed = 0;
    const more = suppressed > 0 ? ` (and ${suppressed} more in the last minute)` : '';
    return { ...refusal, log: { ...refusal.log, line: refusal.log.line + more } };
  }

  /** Whether the scheme's sender requires answers without a body (see `WebhookScheme.bodylessAnswers`). */
  get bodylessAnswers(): boolean {
    return this.verifier.scheme.bodylessAnswers === true;
  }

  /** What to write for a refusal: the refusal itself, or its status and headers only (`bodylessAnswers`). */
  refusalAnswerOf(refusal: HttpRefusal): HttpAnswer {
    return this.bodylessAnswers
      ? { status: refusal.status, headers: refusal.headers, body: undefined }
      : refusal;
  }

  handshake(reply: HandshakeReply): HttpAnswer {
    return handshakeAnswer(reply);
  }

  /** The answer to a duplicate of a processed delivery. */
  duplicate(): HttpAnswer {
    return {
      status: 200,
      headers: {},
      body: this.bodylessAnswers
        ? undefined
        : (this.options.duplicateResponse ?? WEBHOOK_DEFAULTS.duplicateResponse),
    };
  }
}
