import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Observable, of } from 'rxjs';
import { webhookStateOf } from './webhook-request-state.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';

/**
 * Settles the replay claim (DESIGN §2 step 9): answers a duplicate without running the handler,
 * marks the delivery done when the handler succeeds, and releases the claim when it fails so the
 * sender's retry is processed.
 */
@Injectable()
export class WebhookReplayInterceptor implements NestInterceptor {
  private readonly logger = new Logger('VerifiedWebhook');

  constructor(@Inject(WEBHOOKS_MODULE_OPTIONS) private readonly options: WebhooksModuleOptions) {}

  /** One function for every delivery rather than a closure each. */
  private readonly warnNotMarkedDone = (error: unknown) =>
    this.logger.warn(`Could not mark a delivery done: ${String(error)}`);

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const state = webhookStateOf(context.switchToHttp().getRequest<object>());
    // handled: listed twice (class and method); the outer one settles the claim.
    if (!state || state.handled) return next.handle();
    state.handled = true;
    if (state.duplicate) return of(this.options.duplicateResponse ?? { duplicate: true });
    const claim = state.claim;
    if (!claim) return next.handle();
    // Called here, not on subscription: Nest binds the async context (AsyncLocalStorage, e.g.
    // nestjs-cls) when handle() is called. One subscriber instead of an operator chain: this runs on
    // every accepted delivery.
    const handled = next.handle();
    return new Observable<unknown>((subscriber) => {
      // No teardown: an outer timeout() that gives up on the answer must not stop the claim from
      // being settled when the handler does finish (a promise-backed handler runs on regardless).
      handled.subscribe({
        next: (value) => subscriber.next(value),
        // Issued before the response is written but not awaited: the one awaited round trip is the claim.
        complete: () => {
          claim.complete().catch(this.warnNotMarkedDone);
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
    });
  }
}
