import { randomUUID } from 'node:crypto';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeHex } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader, requireHeader } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import type {
  HandshakeReply,
  HandshakeRequest,
  ParseContext,
  ParsedWebhook,
  SignInput,
  WebhookScheme,
} from '../webhook-scheme.interface.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { jsonObject, stringField } from '../kit/json-fields.js';
import { formatRfc3339, parseRfc3339 } from '../kit/rfc3339.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { signTime } from '../kit/sign-input.js';
import { requireSignatureHeader } from '../kit/signature-header.js';

export interface TwitchOptions {
  /** Freshness window in ms, both ways. Default 10 minutes, as Twitch advises. */
  toleranceMs?: number;
  name?: string;
}

export interface TwitchParsed extends ParsedWebhook {
  readonly id: string;
  readonly timestamp: number;
  /** The timestamp exactly as sent: it is what was signed. */
  readonly timestampText: string;
  /** `notification`, `webhook_callback_verification` or `revocation` (not signed). */
  readonly messageType: string | undefined;
}

const PREFIX = 'sha256=';
const SHA256_BYTES = 32;
const H = {
  id: 'twitch-eventsub-message-id',
  timestamp: 'twitch-eventsub-message-timestamp',
  signature: 'twitch-eventsub-message-signature',
  messageType: 'twitch-eventsub-message-type',
  subscriptionType: 'twitch-eventsub-subscription-type',
} as const;
const MAX_CHALLENGE_LENGTH = 1024;

/**
 * Twitch EventSub (webhook transport): `Twitch-Eventsub-Message-Signature: sha256=<hex HMAC-SHA256
 * of message id + timestamp + body>`. The message id and the RFC 3339 timestamp are signed, so the
 * id is the replay key. Answers the signed `webhook_callback_verification` with the raw challenge.
 */
export function twitch(options: TwitchOptions = {}): WebhookScheme<Buffer, TwitchParsed> {
  const mac = (key: Buffer, id: string, timestampText: string, body: Buffer) =>
    hmacOf('sha256', key, id, timestampText, body);

  const importKey = (secret: string | Buffer): Buffer => importUtf8Secret('Twitch EventSub secret', secret);

  return {
    name: options.name ?? 'twitch',
    signs: { id: true, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 10 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): TwitchParsed {
      const max = limits.maxHeaderLength;
      const header = requireSignatureHeader(headers, H.signature, limits, {
        display: 'Twitch-Eventsub-Message-Signature',
        blankIsMissing: false,
      });
      const signature = header.startsWith(PREFIX) ? decodeHex(header.slice(PREFIX.length)) : undefined;
      if (signature?.length !== SHA256_BYTES) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'Header Twitch-Eventsub-Message-Signature is not sha256=<hex>.',
        );
      }
      const id = requireHeader(headers, [H.id], max);
      const timestampText = requireHeader(headers, [H.timestamp], max);
      return {
        signatures: [signature],
        id,
        timestampText,
        timestamp: parseRfc3339(timestampText, H.timestamp),
        type: readHeader(headers, H.subscriptionType, max) || undefined,
        messageType: readHeader(headers, H.messageType, max) || undefined,
      };
    },

    importKey,

    verify(parsed: TwitchParsed, rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(mac(key, parsed.id, parsed.timestampText, rawBody), parsed.signatures);
    },

    /**
     * `webhook_callback_verification` → 200 text/plain with the challenge from the signed body. The
     * message-type header is not signed, so a signed body that carries a `challenge` is always
     * answered as the handshake it is, never handed to the handler as an event.
     */
    signedHandshake(request: HandshakeRequest, parsed: TwitchParsed): HandshakeReply | undefined {
      const body = jsonObject(request.rawBody);
      const challenge = stringField(body, 'challenge', MAX_CHALLENGE_LENGTH);
      if (challenge === undefined) return undefined;
      if (parsed.messageType !== 'webhook_callback_verification' && body?.event !== undefined)
        return undefined;
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: challenge };
    },

    sign(input: SignInput): Record<string, string> {
      const id = input.id ?? randomUUID();
      const timestampText = formatRfc3339(signTime(input));
      const signature = mac(importKey(input.secret), id, timestampText, toBuffer(input.body)).toString('hex');
      return {
        [H.id]: id,
        [H.timestamp]: timestampText,
        [H.signature]: PREFIX + signature,
        [H.messageType]: 'notification',
        [H.subscriptionType]: input.type ?? 'channel.follow',
        'twitch-eventsub-message-retry': '0',
        'twitch-eventsub-subscription-version': '1',
        'content-type': 'application/json',
      };
    },
  };
}
