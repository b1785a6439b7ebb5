import { hmac } from '../hmac.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface LineOptions {
  /** Scheme name for logs and the default endpoint. Default `line`. */
  name?: string;
}

/**
 * LINE Messaging API: `x-line-signature: <base64 HMAC-SHA256 of the raw body>` keyed with the
 * channel secret (docs/providers.md#line). No timestamp is signed, and one body batches several
 * events (each with its own `webhookEventId`), so replays are keyed on a digest of the body: a
 * redelivery is the same bytes.
 */
export function line(options: LineOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({ name: options.name ?? 'line', signatureHeader: 'x-line-signature', encoding: 'base64' }),
    payloadFormat: 'json',
  };
}
