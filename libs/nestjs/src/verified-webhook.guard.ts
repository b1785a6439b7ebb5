import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { HttpAnswer, HttpRequestParts } from '@verified-webhooks/core';
import { WebhookVerificationError } from '@verified-webhooks/core';
import type { IncomingMessage } from 'node:http';
import { WebhookTracing } from './tracing/webhook-tracing.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { webhookRefusal } from './webhook-refusal.js';
import { setWebhookState, webhookStateOf } from './webhook-request-state.js';
import { WebhookRoutes } from './webhook-routes.service.js';

/** Express's request is Node's message; Fastify's wraps it in `raw` and keeps `rawBody` beside it. */
export type WebhookHttpRequest = IncomingMessage & {
  rawBody?: Buffer | undefined;
  body?: unknown;
  params?: Record<string, string>;
  query?: unknown;
  originalUrl?: string;
  raw?: IncomingMessage;
};

/**
 * Verifies a delivery before anything else of the app's route runs (docs/architecture.md, steps
 * 1–6): raw body, headers, freshness, secrets, signature. The replay claim is the interceptor's,
 * which runs after every guard. Extend it and override `requestParts` to adapt how a request is read.
 */
@Injectable()
export class VerifiedWebhookGuard implements CanActivate {
  protected readonly logger = new Logger('VerifiedWebhook');

  constructor(
    protected readonly routes: WebhookRoutes,
    protected readonly adapterHost: HttpAdapterHost,
    @Optional() protected readonly metrics: WebhookMetrics = WebhookMetrics.disabled,
    @Optional() protected readonly tracing: WebhookTracing = WebhookTracing.disabled,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.routes.forRoute(context.getClass(), context.getHandler());
    if (!route) return true;
    // isWebhookRoute() tells the app's own guards to step aside, so a webhook route never lets a
    // non-HTTP call (a hybrid app's RPC handler on a decorated class) through unverified.
    if (context.getType() !== 'http') return false;
    const http = context.switchToHttp();
    const request = http.getRequest<WebhookHttpRequest>();
    // Listed twice (@VerifiedWebhook() on class and method, or a base class too): verified once.
    if (webhookStateOf(request)) return true;
    const response = http.getResponse<unknown>();
    const { receiver } = route;
    const stopTimer = this.metrics.startVerification(receiver.verifier.scheme.name);
    // A child of the request's span when the app traces HTTP; the job's spans continue from it.
    const span = this.tracing.start('webhook.verify', {
      'webhook.endpoint': receiver.verifier.endpoint,
      'webhook.scheme': receiver.verifier.scheme.name,
    });
    let verification;
    try {
      verification = await receiver.verify(this.requestParts(request));
    } catch (error) {
      const refusal = webhookRefusal(error, receiver, this.refusalContext(response));
      span.setAttributes({ 'webhook.outcome': reasonOf(error) });
      span.end(error);
      if (!receiver.bodylessAnswers) throw refusal;
      // The sender requires a bare status (Xero's intent to receive): answered here, as handshakes are.
      this.send(response, { status: refusal.getStatus(), headers: {}, body: undefined });
      return new Promise<boolean>(() => undefined);
    } finally {
      stopTimer();
    }
    span.setAttributes({
      'webhook.outcome': verification.kind === 'handshake' ? 'handshake' : 'verified',
      ...(verification.kind === 'handshake'
        ? {}
        : { 'webhook.delivery_id': verification.event.id, 'webhook.event_type': verification.event.type }),
    });
    span.end();
    if (verification.kind === 'handshake') {
      this.metrics.delivery(receiver.verifier.scheme.name, receiver.verifier.endpoint, 'handshake');
      this.send(response, receiver.handshake(verification.reply));
      // Answered without an exception, so the app's exception filters (error reporters) never see
      // a provider's challenge. Nest's pipeline for this request waits on a promise that never
      // settles; a new one each time, held by nothing, so the request is collected with it (a shared
      // one would keep every handshake's request alive through the reactions attached to it).
      return new Promise<boolean>(() => undefined);
    }
    const headers = (request.raw ?? request).headers;
    setWebhookState(request, { route, verified: verification, headers, intercepted: false, span });
    return true;
  }

  /** The request as the HTTP seam reads it. On Fastify, Node's message is `request.raw`. */
  protected requestParts(request: WebhookHttpRequest): HttpRequestParts {
    return {
      message: request.raw ?? request,
      target: request.originalUrl ?? request.url,
      params: request.params,
      query: () => request.query,
      rawBody: request.rawBody,
      parsedBody: request.body,
    };
  }

  protected send(response: unknown, answer: HttpAnswer): void {
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(answer.headers)) adapter.setHeader(response, name, value);
    adapter.reply(response, answer.body, answer.status);
  }

  private refusalContext(response: unknown) {
    return { adapter: this.adapterHost.httpAdapter, response, logger: this.logger, metrics: this.metrics };
  }
}

/** The refusal's reason code (`signature_mismatch`, ...), `internal_error` for anything else. */
const reasonOf = (error: unknown): string =>
  error instanceof WebhookVerificationError ? error.reason : 'internal_error';
