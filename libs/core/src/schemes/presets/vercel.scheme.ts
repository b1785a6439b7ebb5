import { hmac } from '../hmac.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { bodyIdReplayId } from '../kit/json-fields.js';
import { bodyString } from '../kit/payload-field.js';

export interface VercelOptions {
  /** Scheme name for logs and the default endpoint. Default `vercel`. */
  name?: string;
}

/**
 * Vercel — SECONDARY (docs/providers.md#vercel): `x-vercel-signature: <hex HMAC-SHA1 of the raw
 * body>` keyed with the webhook's secret (an integration's client secret for integration
 * webhooks). SHA-1 is Vercel's choice. No timestamp. The signed body's `id` is the event id and the
 * replay identity; its `type` (`deployment.created`) is the type.
 */
export function vercel(options: VercelOptions = {}): WebhookScheme<Buffer> {
  const eventId = (rawBody: Buffer) => bodyString(rawBody, ['id']);
  return {
    ...hmac({
      name: options.name ?? 'vercel',
      signatureHeader: 'x-vercel-signature',
      algorithm: 'sha1',
      legacy: true,
    }),
    payloadFormat: 'json',
    eventId: (_parsed, rawBody) => eventId(rawBody),
    replayId(_parsed, rawBody) {
      const id = eventId(rawBody);
      return id === undefined ? undefined : bodyIdReplayId(id);
    },
  };
}
