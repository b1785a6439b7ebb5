import { PRESETS_A } from './presets/group-a.js';
import { PRESETS_B } from './presets/group-b.js';
import { standardWebhooks } from './standard-webhooks.scheme.js';
import type { AnyWebhookScheme } from './webhook-scheme.interface.js';

/** Presets that need no options, by the names `@VerifiedWebhook('…')` accepts. */
const PRESETS: Record<string, () => AnyWebhookScheme> = {
  ...PRESETS_A,
  ...PRESETS_B,
  standard: () => standardWebhooks(),
};

export type PresetName = keyof typeof PRESETS | (string & {});

/** The preset names `resolveScheme` knows, for error messages and the CLI. */
export const presetNames = (): string[] => Object.keys(PRESETS).sort();

/** A scheme object passes through; a name builds its preset. */
export function resolveScheme(scheme: AnyWebhookScheme | PresetName): AnyWebhookScheme {
  if (typeof scheme !== 'string') return scheme;
  const factory = Object.hasOwn(PRESETS, scheme) ? PRESETS[scheme] : undefined;
  if (!factory) {
    throw new Error(
      `Unknown webhook scheme "${scheme}". Known: ${presetNames().join(', ')}; or pass a scheme object such as hmac({...}).`,
    );
  }
  return factory();
}

/** Adds a preset name (for apps with schemes of their own). */
export function registerScheme(name: string, factory: () => AnyWebhookScheme): void {
  PRESETS[name] = factory;
}
