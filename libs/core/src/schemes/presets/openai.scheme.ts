import type {
  StandardWebhooksKey,
  StandardWebhooksOptions,
  StandardWebhooksParsed,
} from '../standard-webhooks.scheme.js';
import { standardWebhooks } from '../standard-webhooks.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

/**
 * OpenAI: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`
 * over `${id}.${timestamp}.${body}`, `whsec_` secret base64-decoded, ±5 minutes;
 * docs/providers.md#openai). The id is signed; the type is the body's `type`
 * (`response.completed`).
 */
export const openai = (
  options: StandardWebhooksOptions = {},
): WebhookScheme<StandardWebhooksKey, StandardWebhooksParsed> =>
  standardWebhooks({ ...options, name: options.name ?? 'openai' });
