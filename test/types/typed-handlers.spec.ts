// Type tests: `npm test` type-checks this file (tsc -p tsconfig.json) before it runs. Each expected
// error below must occur, or that check fails: a misspelt name that compiled would be caught.
import '@verified-webhooks/core/typings/github';
import '@verified-webhooks/core/typings/stripe';
import type { WebhookEventName, WebhookEventOf } from '@verified-webhooks/core';
import { WebhookDispatcher } from '@verified-webhooks/core';
import type { WebhookHandlerContext } from '@verified-webhooks/nestjs';
import { OnWebhookEvent } from '@verified-webhooks/nestjs';
import type { IssuesOpenedEvent } from '@octokit/webhooks-types';
import type Stripe from 'stripe';

class TypedHandlers {
  @OnWebhookEvent('stripe', 'invoice.paid')
  onInvoicePaid(event: WebhookEventOf<'stripe', 'invoice.paid'>, context: WebhookHandlerContext) {
    const amount: number = event.payload.data.object.amount_paid;
    return { amount, key: context.idempotencyKey };
  }

  // @ts-expect-error 'invoice.payed' is not one of Stripe's event names
  @OnWebhookEvent('stripe', 'invoice.payed')
  onMisspelt() {}

  // @ts-expect-error the event of 'invoice.paid' is not a customer.created event
  @OnWebhookEvent('stripe', 'invoice.paid')
  onWrongPayload(event: WebhookEventOf<'stripe', 'customer.created'>) {
    return event;
  }

  @OnWebhookEvent('stripe', ['invoice.*', 'customer.created'])
  onSeveral(event: WebhookEventOf<'stripe', 'invoice.*' | 'customer.created'>) {
    return event.payload.type;
  }

  @OnWebhookEvent('github', 'issues.opened')
  onIssueOpened(event: WebhookEventOf<'github', 'issues.opened'>) {
    return event.payload.issue.number;
  }

  // @ts-expect-error GitHub has no 'issue.opened' (it is 'issues.opened')
  @OnWebhookEvent('github', 'issue.opened')
  onMisspeltGithub() {}

  // An endpoint the map does not list takes any name.
  @OnWebhookEvent('orders', 'whatever.happened')
  onUntyped(event: WebhookEventOf<'orders', 'whatever.happened'>) {
    return event.payload;
  }
}

describe('typed event names (with the Stripe and GitHub typings enabled)', () => {
  it('types each handler event from the provider package', () => {
    expectTypeOf<
      WebhookEventOf<'stripe', 'invoice.paid'>['payload']
    >().toEqualTypeOf<Stripe.InvoicePaidEvent>();
    expectTypeOf<WebhookEventOf<'github', 'issues.opened'>['payload']>().toEqualTypeOf<IssuesOpenedEvent>();
    expectTypeOf<'invoice.paid'>().toMatchTypeOf<WebhookEventName<'stripe'>>();
    // The core dispatcher takes the same names.
    new WebhookDispatcher<'stripe'>().on('invoice.paid', (event) => event.payload.data.object.id);
    // @ts-expect-error misspelt on the core dispatcher too
    new WebhookDispatcher<'stripe'>().on('invoice.payed', () => undefined);
    const metadata = Reflect.getMetadata('verified-webhooks:handler', TypedHandlers.prototype.onSeveral);
    expect(metadata).toEqual([
      { endpoint: 'stripe', patterns: ['invoice.*', 'customer.created'], name: undefined },
    ]);
  });
});
