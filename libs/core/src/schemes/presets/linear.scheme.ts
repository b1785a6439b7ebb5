import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { hmac } from '../hmac.scheme.js';
import type { ParseContext, ParsedWebhook, WebhookScheme } from '../webhook-scheme.interface.js';
import { jsonObject } from '../kit/json-fields.js';

export interface LinearOptions {
  /** Scheme name for logs and the default endpoint. Default `linear`. */
  name?: string;
  /** Freshness window in ms, both directions. Default 60 s, as `@linear/sdk`. */
  toleranceMs?: number;
}

/**
 * Linear: `linear-signature` = hex HMAC-SHA256(webhook secret as UTF-8, rawBody). Freshness comes
 * from the SIGNED body field `webhookTimestamp` (ms); the `linear-timestamp` header is ignored, as
 * in the SDK. The body is read before the signature is checked only to find that timestamp; nothing
 * from it is trusted unless the signature then matches.
 *
 * Replay identity: a digest of the body (it holds `webhookTimestamp`). The body's `webhookId` is
 * NOT used: it names the webhook configuration, the same for every delivery.
 */
export function linear(options: LinearOptions = {}): WebhookScheme<Buffer> {
  const base = hmac({ name: options.name ?? 'linear', signatureHeader: 'linear-signature' });
  return {
    ...base,
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 60_000,

    parse(headers: WebhookHeaders, context: ParseContext): ParsedWebhook {
      const parsed = base.parse(headers, context);
      const timestamp = jsonObject(context.rawBody)?.webhookTimestamp;
      if (timestamp === undefined) {
        throw new WebhookVerificationError('missing_header', 'The Linear body has no webhookTimestamp.');
      }
      if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
        throw new WebhookVerificationError(
          'malformed_header',
          'The Linear webhookTimestamp is not integer ms.',
        );
      }
      return { signatures: parsed.signatures, timestamp };
    },
  };
}
