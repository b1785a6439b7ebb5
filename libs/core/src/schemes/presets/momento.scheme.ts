import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { hmac } from '../hmac.scheme.js';
import type { ParseContext, ParsedWebhook, WebhookScheme } from '../webhook-scheme.interface.js';
import { signedContentReplayId } from '../../replay/replay-key.js';
import { jsonObject } from '../kit/json-fields.js';

export interface MomentoOptions {
  /** Freshness window in ms for the body's `publish_timestamp`. Default 60 s, as Momento advises. */
  toleranceMs?: number;
  name?: string;
}

export interface MomentoParsed extends ParsedWebhook {
  readonly timestamp: number;
  /** Identity fields read from the body; trusted only once the signature over the body is verified. */
  readonly identity: readonly string[] | undefined;
}

/**
 * Momento Topics webhooks: `momento-signature: <hex HMAC-SHA3-256 of the body>`. No timestamp
 * header: freshness comes from the body's `publish_timestamp` (ms), which the signature covers, so
 * parse reads it from the raw bytes (the signature is still checked before anything is trusted).
 */
export function momento(options: MomentoOptions = {}): WebhookScheme<Buffer, MomentoParsed> {
  const base = hmac({
    name: options.name ?? 'momento',
    signatureHeader: 'momento-signature',
    algorithm: 'sha3-256',
  });

  return {
    ...base,
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 60_000,

    parse(headers: WebhookHeaders, context: ParseContext): MomentoParsed {
      const parsed = base.parse(headers, context);
      const body = jsonObject(context.rawBody);
      const timestamp = body?.publish_timestamp;
      if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0) {
        throw new WebhookVerificationError(
          'missing_header',
          'The Momento body has no integer publish_timestamp (ms), so its freshness cannot be checked.',
        );
      }
      const fields = [body?.cache, body?.topic, body?.topic_sequence_number];
      const identity = fields.every((field) => typeof field === 'string' || typeof field === 'number')
        ? [...fields.map(String), String(timestamp)]
        : undefined;
      return { ...parsed, timestamp, identity };
    },

    /** cache + topic + sequence number + publish time, all from the verified body. */
    replayId(parsed: MomentoParsed, rawBody: Buffer): string {
      return parsed.identity ? signedContentReplayId(...parsed.identity) : signedContentReplayId(rawBody);
    },
  };
}
