import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ClaimOutcome, HttpAnswer, ReplayClaim, WebhookHttpReceiver } from '@verified-webhooks/core';
import { eventNamesOf, storeDelivery, WebhookVerificationError } from '@verified-webhooks/core';
import type { WebhookQueue as WebhookQueueContract } from '@verified-webhooks/core';
import { Observable } from 'rxjs';
import { WebhookTracing } from './tracing/webhook-tracing.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { WebhookHandlers } from './webhook-handlers.service.js';
import { webhookRefusal } from './webhook-refusal.js';
import type { WebhookRequestState } from './webhook-request-state.js';
import { webhookStateOf } from './webhook-request-state.js';
import { WebhookQueue } from './webhooks.tokens.js';

/**
 * Takes the replay claim (docs/architecture.md, step 7) after every guard has let the request
 * through, so no later guard can leave a claim behind: answers a duplicate without running the
 * handler, marks the delivery done when the handler succeeds, and releases the claim when it fails
 * so the sender's retry is processed.
 */
@Injectable()
export class WebhookReplayInterceptor implements NestInterceptor {
  private readonly logger = new Logger('VerifiedWebhook');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly handlers: WebhookHandlers,
    @Inject(WebhookQueue) private readonly queue: WebhookQueueContract,
    @Optional() private readonly metrics: WebhookMetrics = WebhookMetrics.disabled,
    @Optional() private readonly tracing: WebhookTracing = WebhookTracing.disabled,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const state = webhookStateOf(http.getRequest<object>());
    if (!state || state.intercepted) return next.handle();
    state.intercepted = true;
    const response = http.getResponse<unknown>();
    // handle() now, not after the claim: Nest binds the app's async context (AsyncLocalStorage,
    // nestjs-cls) when handle() is called, and nothing runs until it is subscribed.
    const handled = next.handle();
    return new Observable<unknown>((subscriber) => {
      this.admit(state, response).then(
        (admitted) => {
          if (admitted.kind === 'duplicate' || admitted.kind === 'queued') {
            const answer =
              admitted.kind === 'queued'
                ? { status: 202, headers: {}, body: { queued: admitted.id } }
                : state.route.receiver.duplicate();
            subscriber.next(this.answer(state, response, answer));
            subscriber.complete();
            return;
          }
          const claim = admitted.claim;
          if (!claim) {
            handled.subscribe(subscriber);
            return;
          }
          // No teardown: an outer timeout() that gives up on the answer must not stop the claim from
          // being settled when the handler does finish (a promise-backed handler runs on regardless).
          handled.subscribe({
            next: (value) => subscriber.next(value),
            complete: () => {
              // Not awaited: the answer need not wait for the store, and complete() retries blips.
              claim.complete().catch(this.warnNotMarkedDone);
              subscriber.complete();
            },
            error: (error: unknown) => releaseThen(claim, () => subscriber.error(error)),
          });
        },
        (error: unknown) => subscriber.error(error),
      );
    });
  }

  /**
   * The claim (a refusal for 409 in flight or 503 store down), then the `@OnWebhookEvent()` handlers
   * in order; the route's own method runs after them and gives the answer. A handler that throws
   * frees the claim, so the sender's retry runs them again.
   */
  private async admit(state: WebhookRequestState, response: unknown): Promise<Admitted> {
    const receiver = state.route.receiver;
    const { scheme, endpoint } = receiver.verifier;
    let outcome: ClaimOutcome;
    try {
      outcome = await receiver.claim(state.verified);
    } catch (error) {
      throw this.refuse(error, receiver, response);
    }
    if (outcome.kind === 'duplicate') {
      this.metrics.delivery(scheme.name, endpoint, 'duplicate');
      return outcome;
    }
    // From here on the claim is ours: whatever fails frees it for the sender's retry.
    try {
      this.metrics.delivery(scheme.name, endpoint, 'accepted');
      const event = state.verified.event;
      if (state.route.durable) return await this.enqueue(state, outcome.claim, response);
      const { handled: ran } = await this.handlers.dispatch(event, eventNamesOf(scheme, event));
      if (ran.length === 0) this.unhandled(state);
    } catch (error) {
      if (outcome.claim) await outcome.claim.release().catch(() => undefined);
      throw error;
    }
    return outcome;
  }

  /**
   * A durable route: one job per matching handler, stored before anything is answered; then the
   * claim is marked done (a copy of a queued delivery is a duplicate from then on) and the sender
   * gets 202. A queue that cannot store frees the claim and answers 503, so the sender retries.
   */
  private async enqueue(
    state: WebhookRequestState,
    claim: ReplayClaim | undefined,
    response: unknown,
  ): Promise<Admitted> {
    const receiver = state.route.receiver;
    const { scheme, endpoint } = receiver.verifier;
    const event = state.verified.event;
    const names = eventNamesOf(scheme, event);
    const handlers = this.handlers.matching(endpoint, event, names);
    if (handlers.length === 0) this.unhandled(state);
    // Its trace context goes with the delivery: the job's and the handler's spans are its children.
    const span = this.tracing.start(
      'webhook.enqueue',
      {
        'webhook.endpoint': endpoint,
        'webhook.scheme': scheme.name,
        'webhook.delivery_id': event.id,
        'webhook.event_type': event.type,
        'webhook.jobs': handlers.length,
      },
      state.span,
      'producer',
    );
    try {
      const stored = storeDelivery(event, names, state.headers, Date.now(), scheme);
      await this.queue.enqueue({ ...stored, ...this.tracing.carrier(span) }, handlers);
      span.end();
    } catch (error) {
      span.end(error);
      const failure = new WebhookVerificationError('queue_unavailable', 'The delivery could not be queued.', {
        cause: error,
      });
      throw this.refuse(failure, receiver, response);
    }
    // Not awaited (one round trip less per acknowledgement, see docs/architecture.md): a copy that comes
    // before the claim is marked done is answered 409 and its retry 200; one that comes after the claim
    // was lost finds the job id already queued, so it is never queued twice.
    claim?.complete().catch(this.warnNotMarkedDone);
    return { kind: 'queued', id: event.id ?? event.deliveryKey.replace(/^.*\{|\}$/g, '') };
  }

  private refuse(error: unknown, receiver: WebhookHttpReceiver, response: unknown) {
    const context = {
      adapter: this.adapterHost.httpAdapter,
      response,
      logger: this.logger,
      metrics: this.metrics,
    };
    return webhookRefusal(error, receiver, context);
  }

  /** An event no handler matched is still answered 2xx: senders disable endpoints that answer 4xx. */
  private unhandled(state: WebhookRequestState): void {
    const { scheme, endpoint } = state.route.receiver.verifier;
    this.metrics.unhandled(scheme.name, endpoint);
    this.logger.debug(`${endpoint}: no handler for ${state.verified.event.type ?? 'an untyped event'}`);
  }

  /**
   * Our own answer (a duplicate, a queued delivery) with its status: through Nest's reply as the
   * route's result, or written through the adapter for a route that answers itself (`@Res()`), for
   * which Nest sends nothing.
   */
  private answer(state: WebhookRequestState, response: unknown, answer: HttpAnswer): unknown {
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(answer.headers)) adapter.setHeader(response, name, value);
    if (state.route.answersItself) {
      adapter.reply(response, answer.body, answer.status);
      return undefined;
    }
    adapter.status(response, answer.status);
    return answer.body;
  }

  private readonly warnNotMarkedDone = (error: unknown) =>
    this.logger.warn(`Could not mark a delivery done: ${String(error)}`);
}

/** What the interceptor answers with: a claim to run the route under, a duplicate, or a queued delivery. */
type Admitted = ClaimOutcome | { readonly kind: 'queued'; readonly id: string };

/** Released before the error answer goes out, so the sender's retry finds the delivery free. */
function releaseThen(claim: ReplayClaim, then: () => void): void {
  void claim
    .release()
    .catch(() => undefined)
    .finally(then);
}
