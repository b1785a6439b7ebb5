import type {
  StandardWebhooksKey,
  StandardWebhooksOptions,
  StandardWebhooksParsed,
} from '../standard-webhooks.scheme.js';
import { standardWebhooks } from '../standard-webhooks.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

/**
 * Dodo Payments: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), keyed
 * with the endpoint's `whsec_` secret, as the `dodopayments` SDK's `webhooks.unwrap` checks it.
 * `webhook-id` keys replays; the body's `type` (`payment.succeeded`, ...) names the event.
 */
export const dodoPayments = (
  options: StandardWebhooksOptions = {},
): WebhookScheme<StandardWebhooksKey, StandardWebhooksParsed> => ({
  ...standardWebhooks({ ...options, name: options.name ?? 'dodo-payments' }),
  payloadFormat: 'json',
});
