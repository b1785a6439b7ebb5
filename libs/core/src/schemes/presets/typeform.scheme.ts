import { hmac } from '../hmac.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { bodyIdReplayId } from '../kit/json-fields.js';
import { bodyString, eventTypeAt } from '../kit/payload-field.js';

export interface TypeformOptions {
  /** Scheme name for logs and the default endpoint. Default `typeform`. */
  name?: string;
}

/**
 * Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the raw body>` keyed with the
 * webhook's secret (docs/providers.md#typeform). No timestamp. The body's `event_id` (signed) is
 * the event id and the replay identity, so a retry of one response is a duplicate; `event_type`
 * is the type.
 */
export function typeform(options: TypeformOptions = {}): WebhookScheme<Buffer> {
  const eventId = (rawBody: Buffer) => bodyString(rawBody, ['event_id']);
  return {
    ...hmac({
      name: options.name ?? 'typeform',
      signatureHeader: 'typeform-signature',
      prefix: 'sha256=',
      encoding: 'base64',
    }),
    payloadFormat: 'json',
    eventId: (_parsed, rawBody) => eventId(rawBody),
    replayId(_parsed, rawBody) {
      const id = eventId(rawBody);
      return id === undefined ? undefined : bodyIdReplayId(id);
    },
    eventType: eventTypeAt('event_type'),
  };
}
