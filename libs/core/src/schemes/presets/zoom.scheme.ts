import { createHmac } from 'node:crypto';
import { hmac } from '../hmac.scheme.js';
import { toUnixSeconds } from '../timestamp.js';
import type {
  HandshakeReply,
  HandshakeRequest,
  ParsedWebhook,
  WebhookScheme,
} from '../webhook-scheme.interface.js';
import { jsonObject, jsonReply, matchingKey, signedContentReplayId, stringField } from './preset-helpers.js';

export interface ZoomOptions {
  /** Freshness window in ms for `x-zm-request-timestamp`, both ways. Default 5 minutes. */
  toleranceMs?: number;
  name?: string;
}

const MAX_PLAIN_TOKEN_LENGTH = 256;

/**
 * Zoom: `x-zm-signature: v0=<hex HMAC-SHA256 of v0:{x-zm-request-timestamp}:{body}>` keyed with the
 * app's Secret Token, over the raw bytes (Zoom's Rivet SDK re-serializes the parsed JSON; we do
 * not). Answers the signed `endpoint.url_validation` challenge with
 * `{plainToken, encryptedToken: hex HMAC-SHA256(secret, plainToken)}`.
 */
export function zoom(options: ZoomOptions = {}): WebhookScheme<Buffer> {
  const base = hmac({
    name: options.name ?? 'zoom',
    signatureHeader: 'x-zm-signature',
    prefix: 'v0=',
    timestampHeader: 'x-zm-request-timestamp',
    signedContent: 'v0:{timestamp}:{body}',
    toleranceMs: options.toleranceMs ?? 5 * 60_000,
  });

  return {
    ...base,

    replayId(parsed: ParsedWebhook, rawBody: Buffer): string {
      return signedContentReplayId(String(toUnixSeconds(parsed.timestamp ?? 0)), rawBody);
    },

    signedHandshake(
      request: HandshakeRequest,
      parsed: ParsedWebhook,
      keys: readonly Buffer[],
    ): HandshakeReply | undefined {
      const body = jsonObject(request.rawBody);
      if (body?.event !== 'endpoint.url_validation') return undefined;
      const payload = body.payload;
      const plainToken =
        typeof payload === 'object' && payload !== null && !Array.isArray(payload)
          ? stringField(payload as Record<string, unknown>, 'plainToken', MAX_PLAIN_TOKEN_LENGTH)
          : undefined;
      // The key that verified this request is the one Zoom holds (during rotation keys[0] may not be).
      const key = matchingKey(
        (p: ParsedWebhook, b: Buffer, k: Buffer) => base.verify(p, b, k),
        parsed,
        request.rawBody,
        keys,
      );
      if (plainToken === undefined || key === undefined) return undefined;
      const encryptedToken = createHmac('sha256', key).update(plainToken, 'utf8').digest('hex');
      return jsonReply({ plainToken, encryptedToken });
    },
  };
}
