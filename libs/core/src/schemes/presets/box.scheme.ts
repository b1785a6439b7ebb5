import { randomUUID } from 'node:crypto';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeBase64 } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader, requireHeader } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { signedContentReplayId } from '../../replay/replay-key.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { requireHeaderValue } from '../kit/request-headers.js';
import { formatRfc3339, parseRfc3339 } from '../kit/rfc3339.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { signTime } from '../kit/sign-input.js';

export interface BoxOptions {
  /** Freshness window in ms, both ways. Default 10 minutes (the Box SDK's `maxAge`). */
  toleranceMs?: number;
  /**
   * Also accept a signature over the body with non-ASCII characters and `/` escaped as JSON
   * escapes, as the official Box SDK does (Box signs that form for some payloads). Default true.
   * The escaped form is derived from the received bytes, never from re-serialized JSON, and the
   * replay key is computed over it, so the two spellings of one delivery share one key.
   */
  escapedBodyVariant?: boolean;
  name?: string;
}

export interface BoxParsed extends ParsedWebhook {
  readonly timestamp: number;
  /** The timestamp exactly as sent: it is what was signed. */
  readonly timestampText: string;
}

const H = {
  id: 'box-delivery-id',
  timestamp: 'box-delivery-timestamp',
  primary: 'box-signature-primary',
  secondary: 'box-signature-secondary',
  algorithm: 'box-signature-algorithm',
  version: 'box-signature-version',
} as const;
const SHA256_BYTES = 32;

/**
 * Box: `box-signature-primary` / `box-signature-secondary` = base64 HMAC-SHA256 of the body bytes
 * followed by `box-delivery-timestamp` (RFC 3339), one per key of the app's key pair (rotation).
 * `box-delivery-id` is not signed: the replay key is a digest of the signed timestamp and body.
 */
export function box(options: BoxOptions = {}): WebhookScheme<Buffer, BoxParsed> {
  const escapedVariant = options.escapedBodyVariant ?? true;
  const mac = (key: Buffer, body: Buffer, timestampText: string) =>
    hmacOf('sha256', key, body, timestampText);

  const importKey = (secret: string | Buffer): Buffer => importUtf8Secret('Box signature key', secret);

  return {
    name: options.name ?? 'box',
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 10 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): BoxParsed {
      const max = limits.maxHeaderLength;
      const offered = [readHeader(headers, H.primary, max), readHeader(headers, H.secondary, max)].filter(
        (value): value is string => value !== undefined && value !== '',
      );
      if (offered.length === 0) {
        throw new WebhookVerificationError('missing_signature', 'Header box-signature-primary is missing.');
      }
      requireHeaderValue(headers, H.version, '1', max);
      requireHeaderValue(headers, H.algorithm, 'HmacSHA256', max);
      const signatures = offered
        .map((value) => decodeBase64(value))
        .filter((signature): signature is Buffer => signature?.length === SHA256_BYTES);
      if (signatures.length === 0) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'The Box signature headers hold no well-formed signature.',
        );
      }
      const timestampText = requireHeader(headers, [H.timestamp], max);
      return {
        signatures,
        timestampText,
        timestamp: parseRfc3339(timestampText, H.timestamp),
        id: readHeader(headers, H.id, max) || undefined,
      };
    },

    importKey,

    verify(parsed: BoxParsed, rawBody: Buffer, key: Buffer): boolean {
      const exact = anySignatureMatches(mac(key, rawBody, parsed.timestampText), parsed.signatures);
      if (!escapedVariant) return exact;
      const escapedBody = escapeBody(rawBody);
      if (escapedBody.equals(rawBody)) return exact;
      const escaped = anySignatureMatches(mac(key, escapedBody, parsed.timestampText), parsed.signatures);
      return exact || escaped;
    },

    replayId(parsed: BoxParsed, rawBody: Buffer): string {
      return signedContentReplayId(parsed.timestampText, escapedVariant ? escapeBody(rawBody) : rawBody);
    },

    /** Signs with one key as `box-signature-primary`. */
    sign(input: SignInput): Record<string, string> {
      const timestampText = formatRfc3339(signTime(input)).replace(/\.\d{3}Z$/, 'Z');
      const signature = mac(importKey(input.secret), toBuffer(input.body), timestampText).toString('base64');
      return {
        [H.id]: input.id ?? randomUUID(),
        [H.timestamp]: timestampText,
        [H.primary]: signature,
        [H.algorithm]: 'HmacSHA256',
        [H.version]: '1',
        'content-type': 'application/json',
      };
    },
  };
}

/**
 * The Box SDK's `jsonStringifyWithEscapedUnicode`, applied to the received text: every UTF-16 unit
 * from U+007F up becomes `\uXXXX` and every `/` not preceded by a backslash becomes `\/`.
 */
function escapeBody(rawBody: Buffer): Buffer {
  const escaped = rawBody
    .toString('utf8')
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/(?<!\\)\//g, '\\/');
  return Buffer.from(escaped, 'utf8');
}
