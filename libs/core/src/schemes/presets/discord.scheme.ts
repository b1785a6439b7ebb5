import type { KeyObject } from 'node:crypto';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import {
  anyEd25519SignatureValid,
  ED25519_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  ed25519Sign,
  importEd25519PublicKey,
  importEd25519SecretKey,
  prefixedMessage,
} from '../../internal/ed25519.js';
import { decodeHex } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { requireHeader } from '../../internal/headers.js';
import { parseUnixSeconds, toUnixSeconds } from '../timestamp.js';
import type {
  HandshakeReply,
  HandshakeRequest,
  ParseContext,
  ParsedWebhook,
  SignInput,
  WebhookScheme,
} from '../webhook-scheme.interface.js';
import { signedContentReplayId } from '../../replay/replay-key.js';
import { toBuffer } from '../kit/bytes.js';
import { jsonReply } from '../kit/handshake-reply.js';
import { bodyIdReplayId, jsonObject, stringField } from '../kit/json-fields.js';
import { signTime } from '../kit/sign-input.js';
import { requireSignatureHeader } from '../kit/signature-header.js';

export interface DiscordOptions {
  /**
   * The endpoint receives webhook events (PING is `type: 0`, answered 204) instead of interactions
   * (PING is `type: 1`, answered `{"type":1}`). Default false: interactions.
   */
  webhookEvents?: boolean;
  /** Freshness window in ms for `X-Signature-Timestamp`, both ways. Default 5 minutes. */
  toleranceMs?: number;
  name?: string;
}

export interface DiscordParsed extends ParsedWebhook {
  readonly timestamp: number;
  /** The timestamp exactly as sent: it is what was signed. */
  readonly timestampText: string;
}

const SIGNATURE_HEADER = 'x-signature-ed25519';
const TIMESTAMP_HEADER = 'x-signature-timestamp';
const INTERACTION_PING = 1;
const WEBHOOK_EVENT_PING = 0;

/**
 * Discord interactions and webhook events: `X-Signature-Ed25519: <hex ed25519 signature of
 * timestamp + body>` with `X-Signature-Timestamp`. The secret is the application's public key (hex);
 * `sign()` takes the private key as hex (32-byte seed, or seed followed by the public key).
 */
export function discord(options: DiscordOptions = {}): WebhookScheme<KeyObject, DiscordParsed> {
  const importKey = (secret: string | Buffer): KeyObject =>
    importEd25519PublicKey(
      Buffer.isBuffer(secret) ? secret : decodeHex(secret),
      `The Discord public key must be the application's ${ED25519_KEY_BYTES}-byte ed25519 key in hex.`,
    );

  const importPrivateKey = (secret: string | Buffer): KeyObject =>
    importEd25519SecretKey(
      Buffer.isBuffer(secret) ? secret : decodeHex(secret),
      'discord().sign() needs an ed25519 private key in hex (the seed, or the seed and its public key).',
    );

  return {
    name: options.name ?? 'discord',
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): DiscordParsed {
      const header = requireSignatureHeader(headers, SIGNATURE_HEADER, limits, {
        display: 'X-Signature-Ed25519',
        blankIsMissing: false,
      });
      const signature = decodeHex(header);
      if (signature?.length !== ED25519_SIGNATURE_BYTES) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'Header X-Signature-Ed25519 is not a hex ed25519 signature.',
        );
      }
      const timestampText = requireHeader(headers, [TIMESTAMP_HEADER], limits.maxHeaderLength);
      return { signatures: [signature], timestampText, timestamp: parseUnixSeconds(timestampText) };
    },

    importKey,

    verify(parsed: DiscordParsed, rawBody: Buffer, key: KeyObject): boolean {
      return anyEd25519SignatureValid(prefixedMessage(parsed.timestampText, rawBody), key, parsed.signatures);
    },

    /** The interaction id from the verified body, exposed as the event's id. */
    eventId(_parsed: DiscordParsed, rawBody: Buffer): string | undefined {
      return options.webhookEvents ? undefined : stringField(jsonObject(rawBody), 'id');
    },

    /** The interaction id from the verified body, else a digest of the signed timestamp and body. */
    replayId(parsed: DiscordParsed, rawBody: Buffer): string {
      const id = options.webhookEvents ? undefined : stringField(jsonObject(rawBody), 'id');
      return id !== undefined ? bodyIdReplayId(id) : signedContentReplayId(parsed.timestampText, rawBody);
    },

    signedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      const type = jsonObject(request.rawBody)?.type;
      if (options.webhookEvents) return type === WEBHOOK_EVENT_PING ? { status: 204 } : undefined;
      return type === INTERACTION_PING ? jsonReply({ type: INTERACTION_PING }) : undefined;
    },

    sign(input: SignInput): Record<string, string> {
      const timestampText = String(toUnixSeconds(signTime(input)));
      const signature = ed25519Sign(
        prefixedMessage(timestampText, toBuffer(input.body)),
        importPrivateKey(input.secret),
      );
      return {
        [SIGNATURE_HEADER]: signature.toString('hex'),
        [TIMESTAMP_HEADER]: timestampText,
        'content-type': 'application/json',
      };
    },
  };
}
