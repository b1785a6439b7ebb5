import type {
  StandardWebhooksKey,
  StandardWebhooksOptions,
  StandardWebhooksParsed,
} from '../standard-webhooks.scheme.js';
import { standardWebhooks } from '../standard-webhooks.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

/**
 * Replicate: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`
 * over `id.timestamp.body`), keyed with the account's `whsec_` signing secret (base64-decoded), as
 * the `replicate` SDK's `validateWebhook`. `webhook-id` is the same on every retry and keys replays.
 * The body is the prediction (or training) object; it has no `type`.
 */
export const replicate = (
  options: StandardWebhooksOptions = {},
): WebhookScheme<StandardWebhooksKey, StandardWebhooksParsed> => ({
  ...standardWebhooks({ ...options, name: options.name ?? 'replicate' }),
  payloadFormat: 'json',
});
