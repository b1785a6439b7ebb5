import type {
  AnyWebhookScheme,
  EndpointSchemeOf,
  PresetName,
  WebhookEventOf,
  WebhookEventPattern,
  WebhookHandlerContext,
} from '@verified-webhooks/core';

/** Metadata key set by @OnWebhookEvent() on a handler method: a list, one entry per decorator. */
export const ON_WEBHOOK_EVENT_METADATA = 'verified-webhooks:handler';

export interface WebhookHandlerMetadata {
  readonly endpoint: string;
  readonly patterns: readonly string[];
  readonly name: string | undefined;
  readonly scheme?: PresetName | AnyWebhookScheme | undefined;
}

export interface OnWebhookEventOptions<
  Scheme extends PresetName | AnyWebhookScheme = PresetName | AnyWebhookScheme,
> {
  /**
   * The handler's name, which its idempotency keys derive from. Default `Class.method`: renaming
   * either (or minifying the code) changes the keys, so name handlers whose keys you store.
   */
  readonly name?: string;
  /**
   * The scheme of the endpoint's routes, for an endpoint not named after it (`endpoint: 'billing'`):
   * it types `event.id` (`string` for the Standard Webhooks family). Checked at boot: a route of the
   * endpoint with another scheme stops the app. An endpoint named after a preset is typed by it.
   */
  readonly scheme?: Scheme;
}

/**
 * Runs the method for every verified delivery on `endpoint` whose type matches: one type, a list,
 * `'prefix.*'` or `'*'`. On a method of any provider or controller; found at boot.
 *
 *     @OnWebhookEvent('stripe', 'invoice.paid')
 *     async onInvoicePaid(event: WebhookEventOf<'stripe', 'invoice.paid'>, { idempotencyKey }: WebhookHandlerContext) { … }
 *
 *     @OnWebhookEvent('billing', 'invoice.paid', { scheme: 'standard-webhooks' })
 *     async onPaid(event: WebhookEventOf<'billing', 'invoice.paid', 'standard-webhooks'>) { event.id.length }
 *
 * With the endpoint's names in `WebhookEventMap` (`import '@verified-webhooks/core/typings/stripe'`), a
 * misspelt type does not compile.
 */
export function OnWebhookEvent<
  const Endpoint extends string,
  const Pattern extends WebhookEventPattern<Endpoint>,
  const Scheme extends PresetName | AnyWebhookScheme = EndpointSchemeOf<Endpoint>,
>(endpoint: Endpoint, patterns: Pattern | readonly Pattern[], options: OnWebhookEventOptions<Scheme> = {}) {
  const entry: WebhookHandlerMetadata = {
    endpoint,
    patterns: typeof patterns === 'string' ? [patterns] : [...(patterns as readonly string[])],
    name: options.name,
    ...(options.scheme !== undefined && { scheme: options.scheme }),
  };
  return <
    Method extends (
      event: WebhookEventOf<Endpoint, Pattern, Scheme>,
      context: WebhookHandlerContext,
    ) => unknown,
  >(
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<Method>,
  ): void => {
    const method = descriptor.value as object;
    const existing = (Reflect.getMetadata(ON_WEBHOOK_EVENT_METADATA, method) ??
      []) as WebhookHandlerMetadata[];
    Reflect.defineMetadata(ON_WEBHOOK_EVENT_METADATA, [...existing, entry], method);
  };
}
