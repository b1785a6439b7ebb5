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
import { decodeBase64, decodeCanonicalBase64 } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { requireHeader } from '../../internal/headers.js';
import { parseUnixSeconds, toUnixSeconds } from '../timestamp.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { toBuffer } from '../kit/bytes.js';
import { bodyIdReplayId } from '../kit/json-fields.js';
import { bodyString, eventTypeAt } from '../kit/payload-field.js';
import { JSON_CONTENT_TYPE, signTime } from '../kit/sign-input.js';
import { requireSignatureHeader } from '../kit/signature-header.js';

export interface TelnyxOptions {
  /** Freshness window in ms for `telnyx-timestamp`, both ways. Default 5 minutes, as the `telnyx` SDK. */
  toleranceMs?: number;
  /** Scheme name for logs and the default endpoint. Default `telnyx`. */
  name?: string;
}

export interface TelnyxParsed extends ParsedWebhook {
  readonly timestamp: number;
  /** The timestamp exactly as sent: it is what was signed. */
  readonly timestampText: string;
}

const SIGNATURE_HEADER = 'telnyx-signature-ed25519';
const TIMESTAMP_HEADER = 'telnyx-timestamp';

/**
 * Telnyx API v2: `telnyx-signature-ed25519: <base64 ed25519 signature of ${telnyx-timestamp}|${body}>`
 * (docs/providers.md#telnyx). The secret is the account's public key from the Mission Control
 * portal (base64, 32 bytes); `sign()` takes an ed25519 private key as base64 (the 32-byte seed, or
 * the seed followed by its public key). The signed body's `data.id` is the event id and replay
 * identity, `data.event_type` the type.
 */
export function telnyx(options: TelnyxOptions = {}): WebhookScheme<KeyObject, TelnyxParsed> {
  const name = options.name ?? 'telnyx';
  const importKey = (secret: string | Buffer): KeyObject =>
    importEd25519PublicKey(
      Buffer.isBuffer(secret) ? secret : decodeBase64(secret),
      `The ${name} public key must be the ${ED25519_KEY_BYTES}-byte ed25519 key in base64, as the Telnyx portal shows it.`,
    );
  const importPrivateKey = (secret: string | Buffer): KeyObject =>
    importEd25519SecretKey(
      Buffer.isBuffer(secret) ? secret : decodeBase64(secret),
      `${name}().sign() needs an ed25519 private key in base64 (the seed, or the seed and its public key).`,
    );
  const eventId = (rawBody: Buffer) => bodyString(rawBody, ['data', 'id']);
  const message = (timestampText: string, body: Buffer) => prefixedMessage(`${timestampText}|`, body);

  return {
    name,
    payloadFormat: 'json',
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): TelnyxParsed {
      const header = requireSignatureHeader(headers, SIGNATURE_HEADER, limits, { blankIsMissing: false });
      const signature = decodeCanonicalBase64(header);
      if (signature?.length !== ED25519_SIGNATURE_BYTES) {
        throw new WebhookVerificationError(
          'malformed_signature',
          `Header ${SIGNATURE_HEADER} is not a base64 ed25519 signature.`,
        );
      }
      const timestampText = requireHeader(headers, [TIMESTAMP_HEADER], limits.maxHeaderLength);
      return { signatures: [signature], timestampText, timestamp: parseUnixSeconds(timestampText) };
    },

    importKey,

    verify(parsed: TelnyxParsed, rawBody: Buffer, key: KeyObject): boolean {
      return anyEd25519SignatureValid(message(parsed.timestampText, rawBody), key, parsed.signatures);
    },

    eventId: (_parsed: TelnyxParsed, rawBody: Buffer) => eventId(rawBody),

    replayId(_parsed: TelnyxParsed, rawBody: Buffer): string | undefined {
      const id = eventId(rawBody);
      return id === undefined ? undefined : bodyIdReplayId(id);
    },

    eventType: eventTypeAt('data', 'event_type'),

    sign(input: SignInput): Record<string, string> {
      const timestampText = String(toUnixSeconds(signTime(input)));
      const signature = ed25519Sign(
        message(timestampText, toBuffer(input.body)),
        importPrivateKey(input.secret),
      );
      return {
        [SIGNATURE_HEADER]: signature.toString('base64'),
        [TIMESTAMP_HEADER]: timestampText,
        'content-type': JSON_CONTENT_TYPE,
      };
    },
  };
}
