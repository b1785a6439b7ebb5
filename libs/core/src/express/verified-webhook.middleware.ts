import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookFailureReason } from '../errors/webhook-verification.error.js';
import { describeRefusal } from '../errors/refusal.js';
import { publicUrl } from '../http/public-url.js';
import { checkSecrets } from '../secrets/check-secrets.js';
import { toSecretResolver } from '../secrets/secret-resolvers.js';
import { DEFAULT_BODY_LIMIT, readRawBody } from '../http/read-raw-body.js';
import { handshakeQuery } from '../http/handshake-query.js';
import { headersWithRepeats } from '../http/repeated-headers.js';
import { MemoryReplayStore } from '../replay/memory-replay.store.js';
import type { PresetName } from '../schemes/preset-registry.js';
import { resolveScheme } from '../schemes/preset-registry.js';
import type { AnyWebhookScheme, HandshakeReply } from '../schemes/webhook-scheme.interface.js';
import type { SecretSource } from '../secrets/secret-resolvers.js';
import type { VerifiedWebhook } from '../verify/verified-webhook.interface.js';
import type { ReplayOptions, WebhookVerifierOptions } from '../verify/webhook-verifier.js';
import { WebhookVerifier } from '../verify/webhook-verifier.js';

/**
 * The request as Express (4 or 5) hands it over, typed structurally: core does not import express.
 * `req.webhook` is set once the delivery is verified.
 */
export type WebhookExpressRequest = IncomingMessage & {
  rawBody?: Buffer | undefined;
  body?: unknown;
  params?: Record<string, string>;
  query?: unknown;
  originalUrl?: string;
  webhook?: VerifiedWebhook;
};

export type WebhookNextFunction = (error?: unknown) => void;

export interface VerifiedWebhookMiddlewareOptions extends Omit<
  WebhookVerifierOptions,
  'scheme' | 'replay' | 'onWarning'
> {
  /** A preset name (`'standard-webhooks'`, `'stripe'`, ...) or a scheme object (`hmac({...})`). */
  readonly scheme: AnyWebhookScheme | PresetName;
  readonly secrets: SecretSource;
  /** Replay protection. Default: an in-memory store for this middleware (one process). `false` turns it off. */
  readonly replay?: ReplayOptions | false;
  /** Largest body read before authentication, in bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** The route parameter that names the tenant (secrets and replay keys are per tenant). */
  readonly tenantParam?: string;
  /** Override the HTTP status answered for a reason, e.g. `{ signature_mismatch: 403 }`. */
  readonly statusCodes?: Partial<Record<WebhookFailureReason, number>>;
  /** Body answered to a duplicate of a processed delivery. Default `{ duplicate: true }`. */
  readonly duplicateResponse?: unknown;
  /** The public base URL senders post to, for schemes that sign the URL (Twilio, Square). */
  readonly publicBaseUrl?: string;
  /** Where misconfigurations (error) and store or resolver failures (warn) are logged. Default: console. */
  readonly logger?: { warn(message: string): void; error(message: string): void };
}

/**
 * Express middleware (no Nest needed) that verifies a delivery before the handler runs:
 *
 *     app.post('/hook', verifiedWebhook({ scheme: 'standard-webhooks', secrets: process.env.SECRET! }),
 *       (req, res) => { handle(req.webhook); res.sendStatus(204); });
 *
 * It reads the raw body itself: mount the route before `express.json()`, or keep the bytes
 * (`express.raw()`, or `express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })`).
 * It answers refusals and duplicates itself, sets `req.webhook` (and `req.body`, when no parser ran,
 * to the payload parsed from the verified bytes), and settles the replay claim when the response
 * finishes: a 2xx marks the delivery done, anything else frees it for the sender's retry.
 */
export function verifiedWebhook(
  options: VerifiedWebhookMiddlewareOptions,
): (req: IncomingMessage, res: ServerResponse, next: WebhookNextFunction) => Promise<void> {
  const logger = options.logger ?? console;
  const verifier = new WebhookVerifier({
    ...options,
    scheme: resolveScheme(options.scheme),
    replay: options.replay === false ? false : (options.replay ?? { store: new MemoryReplayStore() }),
    onWarning: (message) => logger.warn(`verified-webhooks: ${message}`),
  });
  // The secrets the resolver can name are checked now, as the Nest module does at boot (DESIGN §4.6).
  const report = checkSecrets(verifier.scheme, toSecretResolver(options.secrets), verifier.endpoint);
  report.warnings.forEach((warning) => logger.warn(`verified-webhooks: ${warning}`));
  if (report.errors.length > 0) {
    throw new Error(`verified-webhooks: unusable webhook secrets:\n- ${report.errors.join('\n- ')}`);
  }
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;

  // Typed as Node's message so that Express infers its own Request for the handlers beside it.
  return async (message, res, next) => {
    const req = message as WebhookExpressRequest;
    let outcome;
    try {
      const rawBody = await rawBodyOf(req, limit);
      const params = req.params ?? {};
      outcome = await verifier.verify({
        headers: headersWithRepeats(req),
        rawBody,
        params,
        tenant: options.tenantParam === undefined ? undefined : params[options.tenantParam],
        method: req.method,
        url: options.publicBaseUrl ? publicUrl(options.publicBaseUrl, req.originalUrl ?? req.url) : undefined,
        query: handshakeQuery(verifier.scheme, req),
      });
    } catch (error) {
      refuse(res, error, verifier.endpoint, options, logger);
      return;
    }
    if (outcome.kind === 'handshake') {
      sendHandshake(res, outcome.reply);
      return;
    }
    if (outcome.duplicate) {
      sendJson(res, 200, options.duplicateResponse ?? { duplicate: true });
      return;
    }
    const event = outcome.event;
    req.webhook = event;
    if (req.body === undefined) req.body = event.payload;
    const claim = outcome.claim;
    if (claim) {
      // Settled by the answer: a 2xx marks the delivery done, anything else frees it for the retry.
      const settle = () => {
        const done = res.statusCode >= 200 && res.statusCode < 300;
        (done ? claim.complete() : claim.release()).catch((error: unknown) =>
          logger.warn(`verified-webhooks: could not settle a delivery's claim: ${String(error)}`),
        );
      };
      res.once('close', () => {
        if (res.writableEnded) return settle();
        // The sender hung up while the handler runs (a slow handler outlives its timeout). The claim
        // stays taken, so its retry cannot run beside the handler, and is settled by the answer the
        // handler still gives: end() on a closed response emits nothing, so it is watched here. If the
        // handler never answers, the lease frees the claim.
        const end = res.end.bind(res) as (...endArgs: unknown[]) => ServerResponse;
        res.end = ((...args: unknown[]) => {
          res.end = end as ServerResponse['end'];
          settle();
          return end(...args);
        }) as ServerResponse['end'];
      });
    }
    next();
  };
}

/** The bytes as received: kept by a parser (`rawBody`, `express.raw()`), else read from the stream. */
async function rawBodyOf(req: WebhookExpressRequest, limit: number): Promise<Buffer> {
  if (!Buffer.isBuffer(req.rawBody) && Buffer.isBuffer(req.body)) req.rawBody = req.body;
  const rawBody = await readRawBody(req, limit);
  req.rawBody = rawBody;
  return rawBody;
}

function refuse(
  res: ServerResponse,
  error: unknown,
  endpoint: string,
  options: VerifiedWebhookMiddlewareOptions,
  logger: { warn(message: string): void; error(message: string): void },
): void {
  const refusal = describeRefusal(error, endpoint, options.statusCodes);
  if (refusal.logLevel !== 'debug') logger[refusal.logLevel](`verified-webhooks: ${refusal.logLine}`);
  if (refusal.retryAfterSeconds !== undefined)
    res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
  sendJson(res, refusal.status, refusal.body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function sendHandshake(res: ServerResponse, reply: HandshakeReply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.statusCode = reply.status;
  const body = reply.body;
  if (body === undefined || body === null) {
    res.end();
  } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!reply.headers?.['content-type']) res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(body);
  } else {
    if (!reply.headers?.['content-type']) res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }
}
