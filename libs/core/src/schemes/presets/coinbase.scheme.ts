import type { ParsedWebhook, WebhookScheme } from '../webhook-scheme.interface.js';
import { hmac } from '../hmac.scheme.js';
import { signedContentReplayId } from '../../replay/replay-key.js';
import { bodyIdReplayId, jsonObject, stringField } from '../kit/json-fields.js';

export interface CoinbaseOptions {
  name?: string;
}

/**
 * Coinbase Commerce: `X-CC-Webhook-Signature: <hex HMAC-SHA256 of the body>` with the shared
 * secret. No id header and no timestamp; the replay key is the signed body's `event.id` (stable
 * across retries, whose envelope changes `attempt_number`), else a digest of the body.
 */
export function coinbase(options: CoinbaseOptions = {}): WebhookScheme<Buffer> {
  const base = hmac({ name: options.name ?? 'coinbase', signatureHeader: 'x-cc-webhook-signature' });
  const eventId = (rawBody: Buffer): string | undefined => {
    const event = jsonObject(rawBody)?.event;
    return typeof event === 'object' && event !== null && !Array.isArray(event)
      ? stringField(event as Record<string, unknown>, 'id')
      : undefined;
  };
  return {
    ...base,
    /** `event.id` from the verified body, exposed as the event's id. */
    eventId: (_parsed: ParsedWebhook, rawBody: Buffer) => eventId(rawBody),
    replayId(_parsed: ParsedWebhook, rawBody: Buffer): string {
      const id = eventId(rawBody);
      return id !== undefined ? bodyIdReplayId(id) : signedContentReplayId(rawBody);
    },
  };
}
