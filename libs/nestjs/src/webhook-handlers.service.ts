import { Injectable } from '@nestjs/common';
import type {
  AnyWebhookScheme,
  DispatchResult,
  VerifiedWebhookEvent,
  WebhookHandler,
} from '@verified-webhooks/core';
import { WebhookDispatcher } from '@verified-webhooks/core';

/**
 * The `@OnWebhookEvent()` handlers of the app, by endpoint (filled at boot by the explorer). The
 * interceptor runs them for each new delivery; a test runs them without HTTP:
 *
 *     await app.get(WebhookHandlers).dispatch(await verifiedEvent(stripe(), { secret, body }));
 */
@Injectable()
export class WebhookHandlers {
  private readonly byEndpoint = new Map<string, WebhookDispatcher>();
  private found = false;

  /** Called by the explorer once every handler is registered (at `app.init()`). */
  ready(): void {
    this.found = true;
  }

  /** Registers a handler for `endpoint`, whose deliveries `scheme` names (GitHub's `issues.opened`). */
  register(
    endpoint: string,
    scheme: AnyWebhookScheme | undefined,
    patterns: readonly string[],
    name: string,
    run: WebhookHandler,
  ): void {
    let dispatcher = this.byEndpoint.get(endpoint);
    if (!dispatcher) this.byEndpoint.set(endpoint, (dispatcher = new WebhookDispatcher(scheme)));
    dispatcher.on(patterns, run, { name });
  }

  /** The handlers registered for `endpoint`, in the order they run. */
  handlersOf(endpoint: string): readonly string[] {
    return this.byEndpoint.get(endpoint)?.handlerNames() ?? [];
  }

  /** Runs one handler of `endpoint` by name: a queued job. */
  runOne(endpoint: string, handler: string, event: VerifiedWebhookEvent, attempt: number): Promise<void> {
    const dispatcher = this.byEndpoint.get(endpoint);
    if (!dispatcher)
      return Promise.reject(new Error(`verified-webhooks: no handlers for endpoint ${endpoint}.`));
    return dispatcher.runOne(handler, event, attempt);
  }

  /** The handlers of `endpoint` an event would run, in order. */
  matching(endpoint: string, event: VerifiedWebhookEvent, names: readonly string[]): readonly string[] {
    return this.byEndpoint.get(endpoint)?.matching(event, names) ?? [];
  }

  /**
   * Runs the handlers of the event's endpoint that match it, one after another; rejects with the
   * first one's error. `names`: what the delivery is dispatched by (default: as its scheme names it).
   */
  dispatch(event: VerifiedWebhookEvent, names?: readonly string[]): Promise<DispatchResult> {
    if (!this.found) {
      return Promise.reject(
        new Error(
          'verified-webhooks: handlers are found at app.init() (or moduleRef.init()); call it before dispatch().',
        ),
      );
    }
    const dispatcher = this.byEndpoint.get(event.endpoint);
    if (!dispatcher) return Promise.resolve({ handled: [] });
    return names === undefined ? dispatcher.dispatch(event) : dispatcher.dispatch(event, names);
  }
}
