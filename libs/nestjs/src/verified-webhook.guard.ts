import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { HandshakeReply, RequestWithRawBody, WebhookFailureReason } from '@verified-webhooks/core';
import { isWebhookVerificationError, readRawBody, WebhookVerificationError } from '@verified-webhooks/core';
import type { RouteVerifier } from './webhook-verifiers.service.js';
import { WebhookVerifiers } from './webhook-verifiers.service.js';
import type { WebhookRequestState } from './webhook-request-state.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
import { WEBHOOK_STATE } from './webhooks.tokens.js';

type WebhookHttpRequest = RequestWithRawBody & {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  originalUrl?: string;
  [WEBHOOK_STATE]?: WebhookRequestState;
};

interface WebhookHttpResponse {
  once(event: 'close', listener: () => void): unknown;
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
}

/** Reasons that mean the app is misconfigured, not that the sender erred: logged as errors, answered without detail. */
const MISCONFIGURATION: ReadonlySet<WebhookFailureReason> = new Set([
  'raw_body_unavailable',
  'invalid_secret',
]);

/**
 * Runs DESIGN §2 steps 2–8 before the handler: raw body, headers, freshness, secrets, signature,
 * replay claim. Extend it and override the protected hooks to adapt (tenant lookup, logging).
 */
@Injectable()
export class VerifiedWebhookGuard implements CanActivate {
  protected readonly logger = new Logger('VerifiedWebhook');

  constructor(
    protected readonly verifiers: WebhookVerifiers,
    @Inject(WEBHOOKS_MODULE_OPTIONS) protected readonly options: WebhooksModuleOptions,
    protected readonly adapterHost: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.verifiers.forRoute(context.getClass(), context.getHandler());
    if (!route || context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<WebhookHttpRequest>();
    const response = http.getResponse<WebhookHttpResponse>();
    let outcome;
    try {
      const rawBody = await this.getRawBody(request, route);
      outcome = await route.verifier.verify({
        headers: request.headers,
        rawBody,
        params: request.params ?? {},
        tenant: this.getTenant(request, route),
        method: request.method,
        url: this.getPublicUrl(request),
        query: stringValues(request.query),
      });
    } catch (error) {
      throw this.toHttpException(error, route, response);
    }
    if (outcome.kind === 'handshake') {
      this.sendHandshake(response, outcome.reply);
      // The reply is sent; Nest's exception filter only ends a response whose headers went out.
      throw new WebhookHandshakeAnswered(outcome.reply.status);
    }
    {
      const state: WebhookRequestState = { ...outcome, handled: false };
      request[WEBHOOK_STATE] = state;
      if (state.claim) {
        // A later guard or pipe may refuse the request before the interceptor runs: free the claim then.
        response.once('close', () => {
          if (!state.handled) state.claim?.release().catch(() => undefined);
        });
      }
      return true;
    }
  }

  /**
   * The public URL the sender signed (Twilio, Square): `publicBaseUrl` + the path, never the Host
   * header unless `trustProxyHeaders` says the proxy in front sets X-Forwarded-Host.
   */
  protected getPublicUrl(request: WebhookHttpRequest): string | undefined {
    const path = request.originalUrl ?? request.url ?? '/';
    if (this.options.publicBaseUrl) return new URL(path, this.options.publicBaseUrl).toString();
    if (!this.options.trustProxyHeaders) return undefined;
    const first = (name: string) =>
      String(request.headers[name] ?? '')
        .split(',')[0]!
        .trim();
    const host = first('x-forwarded-host') || first('host');
    const proto = first('x-forwarded-proto') || 'https';
    return host ? `${proto}://${host}${path}` : undefined;
  }

  protected sendHandshake(response: WebhookHttpResponse, reply: HandshakeReply): void {
    const adapter = this.adapterHost.httpAdapter;
    let body = reply.body;
    for (const [name, value] of Object.entries(reply.headers ?? {})) adapter.setHeader(response, name, value);
    if (Buffer.isBuffer(body)) body = body.toString('utf8');
    if (typeof body === 'string' && !reply.headers?.['content-type']) {
      adapter.setHeader(response, 'content-type', 'text/plain; charset=utf-8');
    }
    adapter.reply(response, body, reply.status);
  }

  /** The raw bytes: what the platform kept (`rawBody: true`), else the unread stream. */
  protected getRawBody(request: WebhookHttpRequest, route: RouteVerifier): Promise<Buffer> {
    return readRawBody(request, route.bodyLimit);
  }

  /** The tenant for this request: the route parameter named by `tenantParam`. */
  protected getTenant(request: WebhookHttpRequest, route: RouteVerifier): string | undefined {
    const name = route.route.tenantParam;
    return name === undefined ? undefined : request.params?.[name];
  }

  protected toHttpException(
    error: unknown,
    route: RouteVerifier,
    response: WebhookHttpResponse,
  ): HttpException {
    const failure = isWebhookVerificationError(error)
      ? error
      : new WebhookVerificationError('secret_resolver_failed', 'Verification failed unexpectedly.', {
          cause: error,
        });
    const status = this.options.statusCodes?.[failure.reason] ?? failure.status;
    const endpoint = route.verifier.endpoint;
    if (MISCONFIGURATION.has(failure.reason)) {
      this.logger.error(`${endpoint}: ${failure.message}`);
    } else if (status >= 500 || failure.reason === 'unknown_endpoint') {
      this.logger.warn(`${endpoint}: refused (${failure.reason})${causeOf(failure)}`);
    } else {
      this.logger.debug(`${endpoint}: refused (${failure.reason})`);
    }
    if (failure.retryAfterMs !== undefined) {
      const seconds = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
      if (response.setHeader) response.setHeader('Retry-After', seconds);
      else response.header?.('Retry-After', seconds);
    }
    const message = MISCONFIGURATION.has(failure.reason)
      ? 'The webhook endpoint is misconfigured.'
      : failure.message;
    return new HttpException({ statusCode: status, error: failure.reason, message }, status, {
      cause: failure,
    });
  }
}

/** Thrown after a handshake reply went out, to stop the pipeline; nothing more is written. */
export class WebhookHandshakeAnswered extends HttpException {
  constructor(status: number) {
    super('Handshake answered', status);
  }
}

function stringValues(query: Record<string, unknown> | undefined): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(query ?? {})) {
    values[key] = typeof value === 'string' ? value : undefined;
  }
  return values;
}

/** The store's or resolver's own error text helps operators; it never holds a secret. */
function causeOf(error: WebhookVerificationError): string {
  return error.cause instanceof Error ? `: ${error.cause.message}` : '';
}
