import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { SignatureEncoding } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { jsonObject, MAX_BODY_ID_LENGTH, stringField } from '../kit/json-fields.js';
import { parseKeyValueHeader, timestampAndSignatures } from '../kit/key-value-header.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { JSON_CONTENT_TYPE, signTime } from '../kit/sign-input.js';
import { decodeSignatures } from '../kit/signature-decoding.js';
import { requireSignatureHeader } from '../kit/signature-header.js';
import { parseUnixMillis, parseUnixSeconds, toUnixSeconds } from '../timestamp.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';

/**
 * Timestamped header HMACs: Paddle (`ts=…;h1=…`, `ts:body`), Mux and Calendly (`t=…,v1=…`,
 * `t.body`), WorkOS (`t=<ms>, v1=…`) and Sanity (`t=<ms>,v1=<base64url>`).
 */

export interface TimestampedHmacParsed extends ParsedWebhook {
  /** The timestamp exactly as sent: it is what was signed. */
  readonly timestampText: string;
}

export interface TimestampedHmacConfig {
  readonly name: string;
  readonly header: string;
  /** Between entries: `;` (Paddle) or `,` (Mux). */
  readonly entrySeparator: string;
  readonly timestampKey: string;
  readonly signatureKey: string;
  /** Between timestamp and body in the signed content: `:` (Paddle) or `.` (Mux). */
  readonly contentSeparator: string;
  readonly toleranceMs: number;
  /** Body field carrying the signed event id (replay identity and `event.id`). */
  readonly bodyIdField?: string;
  /** Unit of the timestamp. Default `s`; WorkOS and Sanity send ms. */
  readonly timestampUnit?: 's' | 'ms';
  /** Encoding of the signatures. Default `hex`; Sanity sends unpadded base64url. */
  readonly signatureEncoding?: SignatureEncoding;
}

const SHA256_BYTES = 32;

/** A `t=<unix s or ms>` + several `<v>=<HMAC-SHA256>` header over `${t}${sep}${body}`; any match passes. */
export function timestampedHmac(config: TimestampedHmacConfig): WebhookScheme<Buffer, TimestampedHmacParsed> {
  const header = config.header.toLowerCase();
  const mac = (key: Buffer, timestampText: string, body: Buffer) =>
    hmacOf('sha256', key, timestampText, config.contentSeparator, body);
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${config.name} secret`, secret);
  const inMs = config.timestampUnit === 'ms';
  const encoding = config.signatureEncoding ?? 'hex';
  const bodyEventId = (rawBody: Buffer) =>
    config.bodyIdField === undefined
      ? undefined
      : stringField(jsonObject(rawBody), config.bodyIdField, MAX_BODY_ID_LENGTH, { numbers: true });

  return {
    name: config.name,
    signs: { id: config.bodyIdField !== undefined, timestamp: true, type: false },
    defaultToleranceMs: config.toleranceMs,

    parse(headers: WebhookHeaders, { limits }: ParseContext): TimestampedHmacParsed {
      const value = requireSignatureHeader(headers, header, limits);
      const { timestampText, candidates } = timestampAndSignatures(
        parseKeyValueHeader(value, config.entrySeparator, header, limits),
        config.timestampKey,
        config.signatureKey,
        header,
      );
      if (timestampText === undefined) {
        throw new WebhookVerificationError('malformed_header', `Header ${header} has no timestamp.`);
      }
      const timestamp = inMs ? parseUnixMillis(timestampText) : parseUnixSeconds(timestampText);
      if (candidates.length === 0) {
        throw new WebhookVerificationError(
          'malformed_signature',
          `Header ${header} has no ${config.signatureKey} signature.`,
        );
      }
      const signatures = decodeSignatures(candidates, encoding, SHA256_BYTES, header);
      return { signatures, timestamp, timestampText };
    },

    importKey,

    verify(parsed: TimestampedHmacParsed, rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(mac(key, parsed.timestampText, rawBody), parsed.signatures);
    },

    eventId: (_parsed: TimestampedHmacParsed, rawBody: Buffer) => bodyEventId(rawBody),

    replayId(_parsed: TimestampedHmacParsed, rawBody: Buffer): string | undefined {
      const id = bodyEventId(rawBody);
      return id === undefined ? undefined : `id:${id}`;
    },

    sign(input: SignInput): Record<string, string> {
      const time = signTime(input);
      const timestampText = String(inMs ? Math.trunc(time) : toUnixSeconds(time));
      const signature = mac(importKey(input.secret), timestampText, toBuffer(input.body)).toString(encoding);
      return {
        [header]: `${config.timestampKey}=${timestampText}${config.entrySeparator}${config.signatureKey}=${signature}`,
        'content-type': JSON_CONTENT_TYPE,
      };
    },
  };
}
