import type { PresetName, PRESETS } from '../schemes/preset-registry.js';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import type { VerifiedWebhookEvent } from './verified-webhook-event.interface.js';

/** The scheme a preset name builds, or the scheme itself. */
type SchemeOf<Scheme> = Scheme extends PresetName ? ReturnType<(typeof PRESETS)[Scheme]> : Scheme;
type ParsedOf<Scheme> = SchemeOf<Scheme> extends { parse(...args: never[]): infer Parsed } ? Parsed : never;

/**
 * `string` when the scheme's `parse` types the id as required (it refuses a delivery without one, and
 * the event's id is the parsed one first); else `string | undefined`.
 */
export type EventIdOf<Scheme> =
  ParsedOf<Scheme> extends { readonly id: string } ? string : string | undefined;

/**
 * The event a route on `Scheme` (a preset name or a scheme object) hands over, its id typed as
 * precisely as the scheme guarantees: `(event: VerifiedEventOf<'standard-webhooks'>) => event.id.length`
 * compiles under `strict`; with `'stripe'` (its id is read from the body) the id may be undefined.
 */
export type VerifiedEventOf<
  Scheme extends PresetName | AnyWebhookScheme,
  Payload = unknown,
> = VerifiedWebhookEvent<Payload, EventIdOf<Scheme>>;
