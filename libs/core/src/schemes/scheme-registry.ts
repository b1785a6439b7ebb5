import { standardWebhooks } from './standard-webhooks.scheme.js';
import type { AnyWebhookScheme } from './webhook-scheme.interface.js';

/** Presets that need no options, by the names `@VerifiedWebhook('…')` accepts. */
const PRESETS: Record<string, () => AnyWebhookScheme> = {
  'standard-webhooks': () => standardWebhooks(),
  standard: () => standardWebhooks(),
  svix: () => standardWebhooks({ name: 'svix' }),
};

export type PresetName = keyof typeof PRESETS | (string & {});

/** A scheme object passes through; a name builds its preset. */
export function resolveScheme(scheme: AnyWebhookScheme | PresetName): AnyWebhookScheme {
  if (typeof scheme !== 'string') return scheme;
  const factory = PRESETS[scheme];
  if (!factory) {
    throw new Error(
      `Unknown webhook scheme "${scheme}". Known: ${Object.keys(PRESETS).join(', ')}; or pass a scheme object such as hmac({...}).`,
    );
  }
  return factory();
}

/** Adds a preset name (used by the provider presets and by apps with their own schemes). */
export function registerScheme(name: string, factory: () => AnyWebhookScheme): void {
  PRESETS[name] = factory;
}
