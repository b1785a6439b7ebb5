import { hmac } from '../hmac.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { bodyString, eventTypeAt } from '../kit/payload-field.js';

export interface IntercomOptions {
  /** Scheme name for logs and the default endpoint. Default `intercom`. */
  name?: string;
}

/**
 * Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw JSON notification>` keyed with the
 * app's client secret (docs/providers.md#intercom). SHA-1 is Intercom's choice. No timestamp: a
 * captured notification stays valid; the replay key is a digest of the signed body. The
 * notification's `id` (`notif_…`) and `topic` come from the signed body.
 */
export function intercom(options: IntercomOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'intercom',
      signatureHeader: 'x-hub-signature',
      prefix: 'sha1=',
      algorithm: 'sha1',
      legacy: true,
    }),
    payloadFormat: 'json',
    eventId: (_parsed, rawBody) => bodyString(rawBody, ['id']),
    eventType: eventTypeAt('topic'),
  };
}
