import { hmac } from '../hmac.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface ServiceStackOptions {
  name?: string;
}

/**
 * ServiceStack.Webhooks: `X-Hub-Signature: sha1=<hex>` where, despite the prefix, the hash is
 * HMAC-SHA256 of the body (a mislabel in the sender's `HmacUtils`). `X-Webhook-Delivery` and
 * `X-Webhook-Event` are not signed: the replay key is a digest of the signed body. No timestamp.
 */
export function serviceStack(options: ServiceStackOptions = {}): WebhookScheme<Buffer> {
  return hmac({
    name: options.name ?? 'servicestack',
    signatureHeader: 'x-hub-signature',
    prefix: 'sha1=',
    algorithm: 'sha256',
    idHeader: 'x-webhook-delivery',
    typeHeader: 'x-webhook-event',
  });
}
