import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import type { VerifiedWebhookEvent } from '../verify/verified-webhook-event.interface.js';
import { checkPatterns, matchesAny } from './event-pattern.js';
import { idempotencyKey } from './idempotency-key.js';
import type { EventIdOf } from '../verify/verified-event-of.js';
import type { EndpointSchemeOf, WebhookEventPattern, WebhookPayloadOf } from './webhook-event-map.js';

/** What a handler gets beside the event. */
export interface WebhookHandlerContext {
  /** Stable for one delivery and one handler, on every retry of it: key your side effects on it. */
  readonly idempotencyKey: string;
  /** The delivery's key (from signed material), the same for every handler of it. */
  readonly deliveryKey: string;
  /** The handler's name, e.g. `BillingHandlers.onInvoicePaid`. */
  readonly handler: string;
  /** Which run of this handler for this delivery: 1 inline; counted across retries in a queue. */
  readonly attempt: number;
}

export type WebhookHandler<Payload = unknown, Id extends string | undefined = string | undefined> = (
  event: VerifiedWebhookEvent<Payload, Id>,
  context: WebhookHandlerContext,
) => unknown;

interface Registered {
  readonly name: string;
  readonly patterns: readonly string[];
  readonly run: WebhookHandler;
}

/** What a dispatch did: the handlers that ran, in order (none: the event is unhandled). */
export interface DispatchResult {
  readonly handled: readonly string[];
}

/**
 * The names a delivery is dispatched by: the scheme's own (GitHub adds `issues.opened` to `issues`),
 * else `event.type`. See `event.signed.type` for whether the signature covers them.
 */
export function eventNamesOf(scheme: AnyWebhookScheme | undefined, event: VerifiedWebhookEvent): string[] {
  const names = scheme?.eventNames?.(event.type, event.payload);
  if (names) return names;
  return event.type === undefined ? [] : [event.type];
}

/**
 * Routes verified events to handlers by type, for one endpoint: `on('invoice.paid', handler)`,
 * `on(['invoice.paid', 'invoice.voided'], ...)`, `on('invoice.*', ...)`, `on('*', ...)`.
 *
 * Handlers of one delivery run one after another, in the order they were registered, and the first
 * that throws stops the rest: the error frees the delivery for the sender's retry, which runs them
 * all again in the same order (those that ran already see the same idempotency key). In sequence,
 * not at once, so that a handler may rely on the ones before it and a failure stops the side effects
 * that would follow it.
 */
export class WebhookDispatcher<Endpoint extends string = string> {
  private readonly handlers: Registered[] = [];

  /** `scheme`: whose `eventNames` name the deliveries (GitHub's `issues.opened`); default `event.type`. */
  constructor(private readonly scheme?: AnyWebhookScheme) {}

  /** Registers a handler; `name` keys its idempotency (default: its position and function name). */
  on<const Pattern extends WebhookEventPattern<Endpoint>>(
    patterns: Pattern | readonly Pattern[],
    handler: WebhookHandler<WebhookPayloadOf<Endpoint, Pattern>, EventIdOf<EndpointSchemeOf<Endpoint>>>,
    options: { readonly name?: string } = {},
  ): this {
    const list: readonly string[] = typeof patterns === 'string' ? [patterns] : patterns;
    const name = options.name ?? `${this.handlers.length}:${handler.name || 'handler'}`;
    checkPatterns(list, `handler ${name}`);
    if (this.handlers.some((registered) => registered.name === name)) {
      throw new Error(
        `verified-webhooks: two handlers are named ${name}; their idempotency keys would collide.`,
      );
    }
    this.handlers.push({ name, patterns: list, run: handler as WebhookHandler });
    return this;
  }

  /** Every registered handler's name, in the order they run. */
  handlerNames(): readonly string[] {
    return this.handlers.map(({ name }) => name);
  }

  /** The handlers `event` would run, in order. */
  matching(
    event: VerifiedWebhookEvent,
    names: readonly string[] = eventNamesOf(this.scheme, event),
  ): readonly string[] {
    return this.handlers.filter((handler) => matchesAny(handler.patterns, names)).map(({ name }) => name);
  }

  /** Runs every matching handler in order; rejects with the first handler's error. */
  async dispatch(
    event: VerifiedWebhookEvent,
    names: readonly string[] = eventNamesOf(this.scheme, event),
  ): Promise<DispatchResult> {
    const handled: string[] = [];
    for (const handler of this.handlers) {
      if (!matchesAny(handler.patterns, names)) continue;
      await this.runHandler(handler, event, 1);
      handled.push(handler.name);
    }
    return { handled };
  }

  /** Runs one handler by name (a queue's job); rejects when it throws or is unknown. */
  async runOne(name: string, event: VerifiedWebhookEvent, attempt: number): Promise<void> {
    const handler = this.handlers.find((registered) => registered.name === name);
    if (!handler)
      throw new Error(`verified-webhooks: no handler named ${name} for endpoint ${event.endpoint}.`);
    await this.runHandler(handler, event, attempt);
  }

  private async runHandler(handler: Registered, event: VerifiedWebhookEvent, attempt: number): Promise<void> {
    await handler.run(event, {
      idempotencyKey: idempotencyKey(event.deliveryKey, handler.name),
      deliveryKey: event.deliveryKey,
      handler: handler.name,
      attempt,
    });
  }
}
