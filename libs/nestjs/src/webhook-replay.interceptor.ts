import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ClaimOutcome } from '@verified-webhooks/core';
import { Observable } from 'rxjs';
import { WebhookMetrics } from './webhook-metrics.js';
import { webhookRefusal } from './webhook-refusal.js';
import type { WebhookRequestState } from './webhook-request-state.js';
import { webhookStateOf } from './webhook-request-state.js';

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
    @Optional() private readonly metrics: WebhookMetrics = WebhookMetrics.disabled,
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
      this.claim(state, response).then(
        (outcome) => {
          const { scheme, endpoint } = state.route.receiver.verifier;
          if (outcome.kind === 'duplicate') {
            this.metrics.delivery(scheme.name, endpoint, 'duplicate');
            subscriber.next(state.route.receiver.duplicate().body);
            subscriber.complete();
            return;
          }
          this.metrics.delivery(scheme.name, endpoint, 'accepted');
          const claim = outcome.claim;
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
              claim
                .complete()
                .catch((error: unknown) =>
                  this.logger.warn(`Could not mark a delivery done: ${String(error)}`),
                );
              subscriber.complete();
            },
            // Released before the error answer goes out, so the sender's retry finds the delivery free.
            error: (error: unknown) => {
              void claim
                .release()
                .catch(() => undefined)
                .finally(() => subscriber.error(error));
            },
          });
        },
        (error: unknown) => subscriber.error(error),
      );
    });
  }

  /** The claim, or the refusal (409 in flight, 503 store down) as Nest's exception. */
  private async claim(state: WebhookRequestState, response: unknown): Promise<ClaimOutcome> {
    const receiver = state.route.receiver;
    try {
      return await receiver.claim(state.verified);
    } catch (error) {
      throw webhookRefusal(error, receiver, {
        adapter: this.adapterHost.httpAdapter,
        response,
        logger: this.logger,
        metrics: this.metrics,
      });
    }
  }
}
