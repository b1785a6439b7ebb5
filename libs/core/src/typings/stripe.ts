/**
 * Opt-in typings for Stripe handlers: `import '@verified-webhooks/core/typings/stripe'` once (it needs
 * the `stripe` package, which publishes the event types) and the `stripe` endpoint takes only Stripe's
 * event names, each handler's event typed as Stripe's: `invoice.paid` → `Stripe.InvoicePaidEvent`.
 * For an endpoint of another name, map it yourself: `interface WebhookEventMap { billing: StripeWebhookEvents }`.
 */
import type Stripe from 'stripe';

/** Stripe's events by name, from the `stripe` package's `Stripe.Event` union. */
export type StripeWebhookEvents = { [Event in Stripe.Event as Event['type']]: Event };

declare module '../handlers/webhook-event-map.js' {
  interface WebhookEventMap {
    stripe: StripeWebhookEvents;
  }
}
