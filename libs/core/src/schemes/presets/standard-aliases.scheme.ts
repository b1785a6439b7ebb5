import type { StandardWebhooksKey, StandardWebhooksOptions, StandardWebhooksParsed } from '../standard-webhooks.scheme.js';
import { standardWebhooks } from '../standard-webhooks.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

type StandardWebhooksScheme = WebhookScheme<StandardWebhooksKey, StandardWebhooksParsed>;

/** Svix: Standard Webhooks under `svix-*` (or `webhook-*`) headers; `whsec_` secrets base64-decoded. */
export const svix = (options: StandardWebhooksOptions = {}): StandardWebhooksScheme =>
  standardWebhooks({ ...options, name: options.name ?? 'svix' });

/** Clerk sends through Svix (`svix-*` headers, `whsec_` signing secret). */
export const clerk = (options: StandardWebhooksOptions = {}): StandardWebhooksScheme =>
  standardWebhooks({ ...options, name: options.name ?? 'clerk' });

/** Resend sends through Svix (`svix-*` headers, `whsec_` signing secret). */
export const resend = (options: StandardWebhooksOptions = {}): StandardWebhooksScheme =>
  standardWebhooks({ ...options, name: options.name ?? 'resend' });
