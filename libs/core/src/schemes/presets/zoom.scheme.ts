import type {
  HandshakeReply,
  HandshakeRequest,
  ParsedWebhook,
  WebhookScheme,
} from '../webhook-scheme.interface.js';
import { v0Hmac } from '../families/v0-hmac.scheme.js';
import { jsonReply, matchingKey } from '../kit/handshake-reply.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { jsonObject, stringField } from '../kit/json-fields.js';

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
  const base = v0Hmac({
    name: options.name ?? 'zoom',
    signatureHeader: 'x-zm-signature',
    timestampHeader: 'x-zm-request-timestamp',
    toleranceMs: options.toleranceMs ?? 5 * 60_000,
  });

  return {
    ...base,

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
      const encryptedToken = hmacOf('sha256', key, plainToken).toString('hex');
      return jsonReply({ plainToken, encryptedToken });
    },
  };
}
