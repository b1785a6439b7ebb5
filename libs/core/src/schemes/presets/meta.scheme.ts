import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { safeEqual } from '../../internal/safe-compare.js';
import { hmac } from '../hmac.scheme.js';
import type { HandshakeReply, HandshakeRequest, WebhookScheme } from '../webhook-scheme.interface.js';
import { isMethod } from '../kit/handshake-reply.js';
import { sha256 } from '../kit/hmac-digest.js';
import { eventTypeAt } from '../kit/payload-field.js';
import { checkSecretText } from '../kit/secret-import.js';

export interface MetaOptions {
  /**
   * The Verify Token you typed into the app dashboard's webhook settings (several while you change
   * it). The `GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…` check is answered only
   * when `hub.verify_token` equals one of them; without any, every such check is refused (401).
   * It is not the App Secret, which signs the deliveries and is configured as the route's secret.
   */
  verifyToken?: string | readonly string[];
  /** Scheme name for logs and the default endpoint. Default `meta`. */
  name?: string;
}

const MAX_CHALLENGE = 1024;

/**
 * Meta (Facebook Pages, Messenger, Instagram, WhatsApp Cloud API): `X-Hub-Signature-256:
 * sha256=<hex HMAC-SHA256 of the raw body>` keyed with the App Secret (docs/providers.md#meta). The
 * legacy SHA-1 `X-Hub-Signature` is ignored. No timestamp and no delivery id; notifications are
 * batched, so replays are keyed on a digest of the body. The type is the body's `object`
 * (`page`, `instagram`, `whatsapp_business_account`).
 *
 * Handshake: the unsigned verification `GET` is answered 200 `text/plain` with `hub.challenge`
 * only when `hub.verify_token` matches a configured `verifyToken` (compared in constant time).
 */
export function meta(options: MetaOptions = {}): WebhookScheme<Buffer> {
  const name = options.name ?? 'meta';
  const configured =
    options.verifyToken === undefined
      ? []
      : typeof options.verifyToken === 'string'
        ? [options.verifyToken]
        : options.verifyToken;
  // Hashed so the comparison takes the same time whatever the lengths (as families/shared-token).
  const tokens = configured.map((token) => {
    if (typeof token !== 'string')
      throw new Error(`${name}(): verifyToken must be a string or a list of strings.`);
    checkSecretText(`${name} verifyToken`, token);
    return sha256(token);
  });

  return {
    ...hmac({ name, signatureHeader: 'x-hub-signature-256', prefix: 'sha256=' }),
    payloadFormat: 'json',
    eventType: eventTypeAt('object'),

    unsignedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      if (!isMethod(request, 'GET') || request.query['hub.mode'] !== 'subscribe') return undefined;
      const challenge = request.query['hub.challenge'];
      const token = request.query['hub.verify_token'];
      if (challenge === undefined || challenge === '' || challenge.length > MAX_CHALLENGE) {
        throw new WebhookVerificationError(
          'malformed_header',
          'The hub.challenge parameter is missing or too long.',
        );
      }
      if (tokens.length === 0) {
        throw new WebhookVerificationError(
          'signature_mismatch',
          `No verify token is configured: use ${name}({ verifyToken }) to answer Meta's verification request.`,
        );
      }
      const offered = sha256(token ?? '');
      let matched = false;
      for (const expected of tokens) if (safeEqual(expected, offered)) matched = true;
      if (!matched || token === undefined || token === '') {
        throw new WebhookVerificationError('signature_mismatch', 'The hub.verify_token does not match.');
      }
      return {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
        body: challenge,
      };
    },
  };
}
