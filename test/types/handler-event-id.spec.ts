// Type tests: `npm test` type-checks this file (tsc -p tsconfig.json, strict) before it runs. Each
// expected error below must occur, or that check fails.
import '@verified-webhooks/core/typings/stripe';
import type { WebhookEventOf } from '@verified-webhooks/core';
import { standardWebhooks, WebhookDispatcher } from '@verified-webhooks/core';
import { verifiedEvent } from '@verified-webhooks/core/testing';
import { OnWebhookEvent } from '@verified-webhooks/nestjs';

const SECRET = 'whsec_' + Buffer.alloc(32, 62).toString('base64');
const standard = standardWebhooks();

/** Handlers as users write them: `event.id` used as the string the scheme guarantees, no `!`. */
class Handlers {
  // An endpoint named after its preset (the default endpoint of `@VerifiedWebhook('standard-webhooks')`).
  @OnWebhookEvent('standard-webhooks', '*')
  onStandard(event: WebhookEventOf<'standard-webhooks'>) {
    return event.id.toUpperCase();
  }

  // An endpoint of its own name: the scheme is named, and checked at boot against the endpoint's routes.
  @OnWebhookEvent('billing', 'invoice.paid', { scheme: 'svix' })
  onBilling(event: WebhookEventOf<'billing', 'invoice.paid', 'svix'>) {
    return event.id.length;
  }

  // A scheme object names it too.
  @OnWebhookEvent('orders', ['order.*', 'refund.created'], { scheme: standard })
  onOrders(event: WebhookEventOf<'orders', 'order.*', typeof standard>) {
    return event.id.length;
  }

  // Stripe's id is read from the body, which may lack one: the handler must say what happens then.
  @OnWebhookEvent('stripe', 'invoice.paid')
  onInvoicePaid(event: WebhookEventOf<'stripe', 'invoice.paid'>) {
    return event.id ?? event.payload.id;
  }

  // @ts-expect-error not a scheme: neither a preset name nor a scheme object
  @OnWebhookEvent('billing', '*', { scheme: 'standard-webhook' })
  onMisspeltScheme() {}

  // @ts-expect-error a handler typed for svix on an endpoint typed (by its name) as Stripe's
  @OnWebhookEvent('stripe', 'invoice.paid')
  onWrongScheme(event: WebhookEventOf<'stripe', 'invoice.paid', 'svix'>) {
    return event.id.length;
  }
}

// @ts-expect-error Stripe's id may be undefined: `.toUpperCase()` on it does not compile under strict
const stripeIdAssumed = (event: WebhookEventOf<'stripe', 'invoice.paid'>): string => event.id.toUpperCase();

describe('@OnWebhookEvent() handler events: event.id typed by the scheme', () => {
  it('is a string where the scheme guarantees an id, string | undefined where it does not', () => {
    expectTypeOf<WebhookEventOf<'standard-webhooks'>['id']>().toEqualTypeOf<string>();
    expectTypeOf<WebhookEventOf<'svix', '*'>['id']>().toEqualTypeOf<string>();
    expectTypeOf<WebhookEventOf<'billing', '*', 'standard-webhooks'>['id']>().toEqualTypeOf<string>();
    expectTypeOf<WebhookEventOf<'orders', '*', typeof standard>['id']>().toEqualTypeOf<string>();
    expectTypeOf<WebhookEventOf<'stripe', 'invoice.paid'>['id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<WebhookEventOf<'github', '*'>['id']>().toEqualTypeOf<string | undefined>();
    // An endpoint of its own name, scheme not named: nothing is known.
    expectTypeOf<WebhookEventOf<'orders'>['id']>().toEqualTypeOf<string | undefined>();
    // The payload is typed as before.
    expectTypeOf<
      WebhookEventOf<'stripe', 'invoice.paid'>['payload']['type']
    >().toEqualTypeOf<'invoice.paid'>();
  });

  it("types the core dispatcher's handlers the same way, from the endpoint's name", () => {
    new WebhookDispatcher<'standard-webhooks'>().on('*', (event) => event.id.length);
    // @ts-expect-error on Stripe's endpoint the id may be undefined
    new WebhookDispatcher<'stripe'>().on('invoice.paid', (event) => event.id.length);
  });

  it('matches what a verified Standard Webhooks event carries at run time', async () => {
    const event = await verifiedEvent(standard, { secret: SECRET, body: '{"type":"order.created"}' });
    expect(new Handlers().onStandard(event)).toBe(event.id.toUpperCase());
    expect(new Handlers().onOrders(event)).toBe(event.id.length);
    const metadata = Reflect.getMetadata('verified-webhooks:handler', Handlers.prototype.onBilling);
    expect(metadata).toEqual([
      { endpoint: 'billing', patterns: ['invoice.paid'], name: undefined, scheme: 'svix' },
    ]);
    void stripeIdAssumed;
  });
});
