import { standardWebhooks } from '../standard-webhooks.scheme.js';
import type { AnyWebhookScheme } from '../webhook-scheme.interface.js';
import { box } from './box.scheme.js';
import { coinbase } from './coinbase.scheme.js';
import { discord } from './discord.scheme.js';
import { github } from './github.scheme.js';
import { momento } from './momento.scheme.js';
import { serviceStack } from './servicestack.scheme.js';
import { shopify } from './shopify.scheme.js';
import { slack } from './slack.scheme.js';
import { clerk, resend, svix } from './standard-aliases.scheme.js';
import { stripe } from './stripe.scheme.js';
import { twitch } from './twitch.scheme.js';
import { zoom } from './zoom.scheme.js';

export * from './box.scheme.js';
export * from './coinbase.scheme.js';
export * from './discord.scheme.js';
export * from './github.scheme.js';
export * from './momento.scheme.js';
export * from './servicestack.scheme.js';
export * from './shopify.scheme.js';
export * from './slack.scheme.js';
export * from './standard-aliases.scheme.js';
export * from './stripe.scheme.js';
export * from './twitch.scheme.js';
export * from './zoom.scheme.js';

/** Group A presets by the name `@VerifiedWebhook('…')` accepts; each builds the preset with default options. */
export const PRESETS_A: Readonly<Record<string, () => AnyWebhookScheme>> = {
  'standard-webhooks': () => standardWebhooks(),
  svix: () => svix(),
  clerk: () => clerk(),
  resend: () => resend(),
  stripe: () => stripe(),
  github: () => github(),
  shopify: () => shopify(),
  slack: () => slack(),
  momento: () => momento(),
  servicestack: () => serviceStack(),
  zoom: () => zoom(),
  twitch: () => twitch(),
  discord: () => discord(),
  'discord-webhook-events': () => discord({ name: 'discord-webhook-events', webhookEvents: true }),
  box: () => box(),
  coinbase: () => coinbase(),
};
