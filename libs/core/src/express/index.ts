export { verifiedWebhook } from './verified-webhook.middleware.js';
export type {
  VerifiedWebhookMiddlewareOptions,
  WebhookExpressRequest,
  WebhookLogger,
  WebhookNextFunction,
} from './verified-webhook.middleware.js';
