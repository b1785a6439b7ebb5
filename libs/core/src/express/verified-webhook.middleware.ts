import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookDispatcher } from '../handlers/webhook-dispatcher.js';
import { eventNamesOf } from '../handlers/webhook-dispatcher.js';
import type { HttpAnswer } from '../http/http-answer.js';
import type { HttpRefusal } from '../http/http-answer.js';
import { WebhookHttpReceiver } from '../http/webhook-http-receiver.js';
import { writeAnswer } from '../http/write-answer.js';
import { MemoryReplayStore } from '../replay/memory-replay.store.js';
import type { ReplayStore } from '../replay/replay-store.interface.js';
import type { PresetName } from '../schemes/preset-registry.js';
import { resolveScheme } from '../schemes/preset-registry.js';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import { checkSecrets } from '../secrets/check-secrets.js';
import type { SecretSource } from '../secrets/secret-resolvers.js';
import { toSecretResolver } from '../secrets/secret-resolvers.js';
import type { ReplayClaim } from '../verify/replay-claim.js';
import type { VerifiedEventOf } from '../verify/verified-event-of.js';
import type { WebhookOptions } from '../verify/webhook-options.js';
import { WebhookVerifier } from '../verify/webhook-verifier.js';

/**
 * The request as Express (4 or 5) hands it over, typed structurally: core does not import express.
 * `req.webhook` is set once the delivery is verified; name the route's scheme to type its id
 * (`WebhookExpressRequest<'standard-webhooks'>`: `req.webhook!.id` is a string).
 */
export type WebhookExpressRequest<Scheme extends PresetName | AnyWebhookScheme = AnyWebhookScheme> =
  IncomingMessage & {
    rawBody?: Buffer | undefined;
    body?: unknown;
    params?: Record<string, string>;
    query?: unknown;
    originalUrl?: string;
    webhook?: VerifiedEventOf<Scheme>;
  };

export type WebhookNextFunction = (error?: unknown) => void;

export interface WebhookLogger {
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export interface VerifiedWebhookMiddlewareOptions extends WebhookOptions {
  /** A preset name (`'standard-webhooks'`, `'stripe'`, ...) or a scheme object (`hmac({...})`). */
  readonly scheme: AnyWebhookScheme | PresetName;
  readonly secrets: SecretSource;
  /** Endpoint name for the resolver and the replay namespace. Default: the scheme's name. */
  readonly endpoint?: string;
  /** The route parameter that names the tenant (secrets and replay keys are per tenant). */
  readonly tenantParam?: string;
  /** Where deliveries are remembered. Default: an in-memory store for this middleware (one process). `false` turns replay protection off. */
  readonly replayStore?: ReplayStore | false;
  /**
   * Handlers by event type (`new WebhookDispatcher().on('invoice.paid', ...)`), run in order after
   * the delivery is verified and claimed, before the route's own handler. One that throws passes its
   * error to Express (`next(error)`), and the claim is freed for the sender's retry.
   */
  readonly dispatcher?: WebhookDispatcher;
  /** Where misconfigurations (error), store or resolver failures (warn) and, given `debug`, refusals are logged. Default: console.warn/error. */
  readonly logger?: WebhookLogger;
}

/** Read at each call, so a console replaced later (tests, log shippers) is the one written to. */
const CONSOLE_LOGGER: WebhookLogger = {
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

/**
 * Express middleware (no Nest needed) that verifies a delivery before the handler runs:
 *
 *     app.post('/hook', verifiedWebhook({ scheme: 'standard-webhooks', secrets: process.env.SECRET! }),
 *       (req, res) => { handle(req.webhook); res.sendStatus(204); });
 *
 * It reads the raw body itself: mount the route before `express.json()`, or keep the bytes
 * (`express.raw()`, or `express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })`).
 * It answers refusals, handshakes and duplicates itself, sets `req.webhook` (and `req.body`, when no
 * parser ran, to the payload parsed from the verified bytes), and settles the replay claim by the
 * answer: a 2xx marks the delivery done, anything else frees it for the sender's retry.
 */
export function verifiedWebhook(
  options: VerifiedWebhookMiddlewareOptions,
): (req: IncomingMessage, res: ServerResponse, next: WebhookNextFunction) => Promise<void> {
  const logger: WebhookLogger = options.logger ?? CONSOLE_LOGGER;
  const verifier = new WebhookVerifier({
    ...options,
    scheme: resolveScheme(options.scheme),
    replayStore: options.replayStore ?? new MemoryReplayStore(),
    onWarning: (message) => logger.warn(`verified-webhooks: ${message}`),
  });
  const receiver = new WebhookHttpReceiver(verifier, options);
  // The secrets the resolver can name are checked now, as the Nest module does at boot.
  const report = checkSecrets(verifier.scheme, toSecretResolver(options.secrets), verifier.endpoint);
  report.warnings.forEach((warning) => logger.warn(`verified-webhooks: ${warning}`));
  if (report.errors.length > 0) {
    throw new Error(`verified-webhooks: unusable webhook secrets:\n- ${report.errors.join('\n- ')}`);
  }
  const refuse = (res: ServerResponse, error: unknown) => {
    const refusal: HttpRefusal = receiver.refusal(error);
    if (refusal.log) logger[refusal.log.level]?.(`verified-webhooks: ${refusal.log.line}`);
    writeAnswer(res, receiver.refusalAnswerOf(refusal));
  };

  // Typed as Node's message so that Express infers its own Request for the handlers beside it.
  return async (message, res, next) => {
    const req = message as WebhookExpressRequest;
    let answer: HttpAnswer | undefined;
    let claim: ReplayClaim | undefined;
    try {
      const verification = await receiver.verify({
        message: req,
        target: req.originalUrl,
        params: req.params,
        query: () => req.query,
        rawBody: req.rawBody,
        parsedBody: req.body,
      });
      if (verification.kind === 'handshake') {
        answer = receiver.handshake(verification.reply);
      } else {
        const claimed = await receiver.claim(verification);
        if (claimed.kind === 'duplicate') {
          answer = receiver.duplicate();
        } else {
          req.webhook = verification.event;
          req.rawBody = verification.event.rawBody;
          if (req.body === undefined) req.body = verification.event.payload;
          claim = claimed.claim;
        }
      }
    } catch (error) {
      refuse(res, error);
      return;
    }
    if (answer) {
      writeAnswer(res, answer);
      return;
    }
    if (claim) settleByAnswer(res, claim, logger);
    if (options.dispatcher && req.webhook) {
      let handled: readonly string[];
      try {
        ({ handled } = await options.dispatcher.dispatch(
          req.webhook,
          eventNamesOf(verifier.scheme, req.webhook),
        ));
      } catch (error) {
        next(error);
        return;
      }
      if (handled.length === 0) {
        logger.debug?.(
          `verified-webhooks: ${verifier.endpoint}: no handler for ${req.webhook.type ?? 'an untyped event'}`,
        );
      }
    }
    next();
  };
}

/**
 * A 2xx answer marks the delivery done, anything else frees it for the retry. The answer is watched
 * at `end()`, not only at 'finish': a sender that hung up (while the claim was taken, or while the
 * handler runs) emits no 'finish', and its claim must still be settled by the handler's answer; until
 * then the retry gets 409 rather than running beside the handler. A handler that never answers keeps
 * the claim until the lease, renewed at most `maxHoldMs`, runs out.
 */
function settleByAnswer(res: ServerResponse, claim: ReplayClaim, logger: WebhookLogger): void {
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    const done = res.statusCode >= 200 && res.statusCode < 300;
    (done ? claim.complete() : claim.release()).catch((error: unknown) =>
      logger.warn(`verified-webhooks: could not settle a delivery's claim: ${String(error)}`),
    );
  };
  res.once('finish', settle);
  const end = res.end.bind(res) as (...endArgs: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    res.end = end as ServerResponse['end'];
    const answered = end(...args);
    // On a closed connection end() emits nothing: the answer is given all the same.
    if (res.destroyed) settle();
    return answered;
  }) as ServerResponse['end'];
}
