import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { HttpException, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { HandshakeReply, RequestWithRawBody, VerificationOutcome } from '@verified-webhooks/core';
import {
  describeRefusal,
  handshakeQuery,
  headersWithRepeats,
  keptRawBody,
  publicUrl,
  readRawBody,
} from '@verified-webhooks/core';
import { WebhookMetrics } from './webhook-metrics.js';
import type { RouteVerifier } from './webhook-verifiers.service.js';
import { WebhookVerifiers } from './webhook-verifiers.service.js';
import type { NodeResponse, WebhookRequestState } from './webhook-request-state.js';
import { setWebhookState, watchUnhandledClaim, webhookStateOf } from './webhook-request-state.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';

/** Express's request is Node's message; Fastify's wraps it in `raw` and keeps `rawBody` beside it. */
type WebhookHttpRequest = RequestWithRawBody & {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  originalUrl?: string;
  raw?: RequestWithRawBody;
};

/** Express's response is Node's ServerResponse; Fastify's reply wraps it in `raw`. */
type WebhookHttpResponse = Partial<NodeResponse> & { raw?: NodeResponse };

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
    @Optional() protected readonly metrics: WebhookMetrics = WebhookMetrics.disabled,
  ) {}

  /**
   * Synchronous when nothing waits (body kept by the platform, synchronous secret resolver, memory
   * store): Nest then moves on without a promise, on every accepted delivery.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const route = this.verifiers.forRoute(context.getClass(), context.getHandler());
    if (!route) return true;
    // isWebhookRoute() tells the app's own guards to step aside, so a webhook route never lets a
    // non-HTTP call (a hybrid app's RPC handler on a decorated class) through unverified.
    if (context.getType() !== 'http') return false;
    const http = context.switchToHttp();
    const request = http.getRequest<WebhookHttpRequest>();
    // Already verified for this request: @VerifiedWebhook() on both the class and the method (or on
    // a base class too) lists this guard twice, and a second claim would answer 409 to itself.
    if (webhookStateOf(request)) return true;
    const response = http.getResponse<WebhookHttpResponse>();
    let body: Buffer | Promise<Buffer>;
    try {
      body = this.getRawBody(request, route);
    } catch (error) {
      throw this.refuse(error, route, response);
    }
    if (Buffer.isBuffer(body)) return this.verify(body, request, response, route);
    return this.verifyWhenRead(body, request, response, route);
  }

  /** The body was not kept by the platform: read from the stream first. */
  private async verifyWhenRead(
    reading: Promise<Buffer>,
    request: WebhookHttpRequest,
    response: WebhookHttpResponse,
    route: RouteVerifier,
  ): Promise<boolean> {
    let rawBody: Buffer;
    try {
      rawBody = await reading;
    } catch (error) {
      throw this.refuse(error, route, response);
    }
    return this.verify(rawBody, request, response, route);
  }

  /** DESIGN §2 steps 3–7 over the raw bytes, then the outcome handed on (or the refusal thrown). */
  private verify(
    rawBody: Buffer,
    request: WebhookHttpRequest,
    response: WebhookHttpResponse,
    route: RouteVerifier,
  ): boolean | Promise<boolean> {
    const stopTimer = this.metrics.startVerification(route.verifier.scheme.name);
    let outcome: VerificationOutcome | Promise<VerificationOutcome>;
    try {
      outcome = route.verifier.verifyNow({
        // Express hands over Node's message; Fastify's request keeps it in `raw`.
        headers: headersWithRepeats(request.raw ?? request),
        rawBody,
        params: request.params ?? {},
        tenant: this.getTenant(request, route),
        method: request.method,
        url: this.getPublicUrl(request),
        // Only handshakes read the query, and Express 5 re-parses it on every access.
        query: handshakeQuery(route.verifier.scheme, request),
      });
    } catch (error) {
      stopTimer();
      throw this.refuse(error, route, response);
    }
    if (outcome instanceof Promise)
      return this.admitWhenSettled(outcome, request, response, route, stopTimer);
    stopTimer();
    return this.admit(outcome, request, response, route);
  }

  // await rather than then(): no closures or extra promise per delivery through an asynchronous store.
  private async admitWhenSettled(
    settling: Promise<VerificationOutcome>,
    request: WebhookHttpRequest,
    response: WebhookHttpResponse,
    route: RouteVerifier,
    stopTimer: () => void,
  ): Promise<boolean> {
    let outcome: VerificationOutcome;
    try {
      outcome = await settling;
    } catch (error) {
      stopTimer();
      throw this.refuse(error, route, response);
    }
    stopTimer();
    return this.admit(outcome, request, response, route);
  }

  /** Answers a handshake, or hands the verified delivery and its claim on to the interceptor. */
  private admit(
    outcome: VerificationOutcome,
    request: WebhookHttpRequest,
    response: WebhookHttpResponse,
    route: RouteVerifier,
  ): boolean {
    const { scheme, endpoint } = route.verifier;
    if (outcome.kind === 'handshake') {
      this.metrics.delivery(scheme.name, endpoint, 'handshake');
      this.sendHandshake(response, outcome.reply);
      // The reply is sent; Nest's exception filter only ends a response whose headers went out.
      throw new WebhookHandshakeAnswered(outcome.reply.status);
    }
    this.metrics.delivery(scheme.name, endpoint, outcome.duplicate ? 'duplicate' : 'accepted');
    const state: WebhookRequestState = {
      event: outcome.event,
      duplicate: outcome.duplicate,
      claim: outcome.claim,
      handled: false,
    };
    setWebhookState(request, state);
    if (state.claim) watchUnhandledClaim(response.raw ?? response);
    return true;
  }

  /** The refusal as the HttpException Nest answers with, counted by its reason. */
  private refuse(error: unknown, route: RouteVerifier, response: WebhookHttpResponse): HttpException {
    const exception = this.toHttpException(error, route, response);
    this.metrics.delivery(route.verifier.scheme.name, route.verifier.endpoint, reasonOf(exception));
    return exception;
  }

  /**
   * The public URL the sender signed (Twilio, Square): `publicBaseUrl` + the path, never the Host
   * header unless `trustProxyHeaders` says the proxy in front sets X-Forwarded-Host.
   */
  protected getPublicUrl(request: WebhookHttpRequest): string | undefined {
    const path = request.originalUrl ?? request.url ?? '/';
    if (this.options.publicBaseUrl) return publicUrl(this.options.publicBaseUrl, path);
    if (!this.options.trustProxyHeaders) return undefined;
    if (!path.startsWith('/')) return publicUrl('', path); // refuses an absolute-form target with 400
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

  /**
   * The raw bytes: what the platform kept (`rawBody: true`), else the unread stream. On Fastify the
   * stream is the request's `raw` IncomingMessage.
   */
  protected getRawBody(request: WebhookHttpRequest, route: RouteVerifier): Buffer | Promise<Buffer> {
    const kept = keptRawBody(request, route.bodyLimit);
    if (kept) return kept;
    const source =
      request.body === undefined && request.raw && request.raw !== request ? request.raw : request;
    return readRawBody(source, route.bodyLimit);
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
    const refusal = describeRefusal(error, route.verifier.endpoint, this.options.statusCodes);
    this.logger[refusal.logLevel](refusal.logLine);
    if (refusal.retryAfterSeconds !== undefined) {
      // Through the adapter: Express's `res.set`, Fastify's `reply.header`.
      this.adapterHost.httpAdapter.setHeader(response, 'Retry-After', String(refusal.retryAfterSeconds));
    }
    return new HttpException(refusal.body, refusal.status, { cause: refusal.failure });
  }
}

/** Thrown after a handshake reply went out, to stop the pipeline; nothing more is written. */
export class WebhookHandshakeAnswered extends HttpException {
  constructor(status: number) {
    super('Handshake answered', status);
  }
}

/** The reason code the guard put in the exception's body (`signature_mismatch`, ...). */
function reasonOf(exception: HttpException): string {
  const body = exception.getResponse();
  const reason = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  return typeof reason === 'string' ? reason : 'error';
}
