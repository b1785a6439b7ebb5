import type {
  StandardWebhooksKey,
  StandardWebhooksOptions,
  StandardWebhooksParsed,
} from '../standard-webhooks.scheme.js';
import { standardWebhooks } from '../standard-webhooks.scheme.js';
import type { SignInput, WebhookScheme } from '../webhook-scheme.interface.js';

type StandardWebhooksScheme = WebhookScheme<StandardWebhooksKey, StandardWebhooksParsed>;

/**
 * Standard Webhooks as Svix sends it: verification reads `svix-*` or `webhook-*` headers alike;
 * `sign()` writes the `svix-*` names, as Svix does (Clerk's verifier requires them).
 */
function svixBranded(name: string, options: StandardWebhooksOptions): StandardWebhooksScheme {
  const scheme = standardWebhooks({ ...options, name: options.name ?? name });
  return {
    ...scheme,
    sign(input: SignInput): Record<string, string> {
      const headers: Record<string, string> = {};
      for (const [header, value] of Object.entries(scheme.sign(input))) {
        headers[header.startsWith('webhook-') ? `svix-${header.slice('webhook-'.length)}` : header] = value;
      }
      return headers;
    },
  };
}

/** Svix: Standard Webhooks under `svix-*` headers; `whsec_` secrets base64-decoded. */
export const svix = (options: StandardWebhooksOptions = {}): StandardWebhooksScheme =>
  svixBranded('svix', options);

/** Clerk sends through Svix (`svix-*` headers, `whsec_` signing secret). */
export const clerk = (options: StandardWebhooksOptions = {}): StandardWebhooksScheme =>
  svixBranded('clerk', options);

/** Resend sends through Svix (`svix-*` headers, `whsec_` signing secret). */
export const resend = (options: StandardWebhooksOptions = {}): StandardWebhooksScheme =>
  svixBranded('resend', options);
