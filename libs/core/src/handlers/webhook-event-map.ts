import type { PresetName } from '../schemes/preset-registry.js';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import type { EventIdOf } from '../verify/verified-event-of.js';
import type { VerifiedWebhookEvent } from '../verify/verified-webhook-event.interface.js';

/**
 * Event names and payloads by endpoint, for typed handlers. Empty until an app (or one of our opt-in
 * typings, `@verified-webhooks/core/typings/stripe` or `/typings/github`) augments it:
 *
 *     declare module '@verified-webhooks/core' {
 *       interface WebhookEventMap {
 *         billing: { 'invoice.paid': InvoicePaid; 'invoice.voided': InvoiceVoided };
 *       }
 *     }
 *
 * An endpoint listed here only takes its own names (and `'*'`, `'prefix.*'`); any other endpoint takes
 * any string.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface WebhookEventMap {}

type TypedEndpoint = Extract<keyof WebhookEventMap, string>;
type EventsOf<Endpoint extends string> = Endpoint extends TypedEndpoint ? WebhookEventMap[Endpoint] : never;

/** The event names an endpoint takes: its map's names when it has one, else any string. */
export type WebhookEventName<Endpoint extends string> = Endpoint extends TypedEndpoint
  ? keyof EventsOf<Endpoint> & string
  : string;

/** Every dotted prefix of a name: `a.b.c` → `a` | `a.b`. */
type Prefixes<Name extends string> = Name extends `${infer Head}.${infer Rest}`
  ? Head | `${Head}.${Prefixes<Rest>}`
  : never;

/** What `@OnWebhookEvent()` and `on()` take: a name, `'*'`, or `'prefix.*'` of a known prefix. */
export type WebhookEventPattern<Endpoint extends string> = Endpoint extends TypedEndpoint
  ? WebhookEventName<Endpoint> | '*' | `${Prefixes<WebhookEventName<Endpoint>>}.*`
  : string;

/**
 * The payload a pattern (or list of patterns) delivers: the union of the names it matches. For an
 * endpoint the map does not list, whatever the handler declares (`any`: nothing is known to check).
 */
export type WebhookPayloadOf<Endpoint extends string, Pattern extends string> = Endpoint extends TypedEndpoint
  ? {
      [Name in keyof EventsOf<Endpoint> & string]: Pattern extends '*'
        ? EventsOf<Endpoint>[Name]
        : Pattern extends `${infer Prefix}.*`
          ? Name extends `${Prefix}.${string}`
            ? EventsOf<Endpoint>[Name]
            : never
          : Name extends Pattern
            ? EventsOf<Endpoint>[Name]
            : never;
    }[keyof EventsOf<Endpoint> & string]
  : // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped endpoints: the handler says
    any;

/**
 * The scheme a handler's event is typed by when none is named: an endpoint is named after its
 * route's scheme unless the route names it (`endpoint` option), so an endpoint named after a preset
 * is that preset's; any other name could be any scheme.
 */
export type EndpointSchemeOf<Endpoint extends string> = Endpoint extends PresetName
  ? Endpoint
  : AnyWebhookScheme;

/**
 * The verified event a handler of `pattern` on `endpoint` receives. Its id is typed as the scheme
 * guarantees it (see `VerifiedEventOf`): `WebhookEventOf<'standard-webhooks', '*'>['id']` is `string`.
 * Name the scheme when the endpoint is not named after it: `WebhookEventOf<'billing', '*', 'svix'>`.
 */
export type WebhookEventOf<
  Endpoint extends string,
  Pattern extends string = '*',
  Scheme extends PresetName | AnyWebhookScheme = EndpointSchemeOf<Endpoint>,
> = VerifiedWebhookEvent<WebhookPayloadOf<Endpoint, Pattern>, EventIdOf<Scheme>>;
