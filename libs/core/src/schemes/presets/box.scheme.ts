import { isAscii } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeCanonicalBase64 } from '../../internal/encoding.js';
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
  /**
   * Largest body (bytes) for which the escaped variant is tried. Default 64 KiB, far above a Box
   * event (a few KB); a larger body verifies only as received. The bound caps what a forged request
   * costs before authentication: escaping expands a body up to 6×, and that is hashed once per key.
   */
  escapedBodyVariantMaxBytes?: number;
  name?: string;
}

export interface BoxParsed extends ParsedWebhook {
  readonly timestamp: number;
  /** The timestamp exactly as sent: it is what was signed. */
  readonly timestampText: string;
  /**
   * The escaped spelling of the body, built once per request by parse(); undefined when the variant
   * is off, the body is over the cap, or escaping changes nothing.
   */
  readonly escapedBody: Buffer | undefined;
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
const ESCAPED_VARIANT_MAX_BYTES = 64 * 1024;

/**
 * Box: `box-signature-primary` / `box-signature-secondary` = base64 HMAC-SHA256 of the body bytes
 * followed by `box-delivery-timestamp` (RFC 3339), one per key of the app's key pair (rotation).
 * `box-delivery-id` is not signed: the replay key is a digest of the signed timestamp and body.
 */
export function box(options: BoxOptions = {}): WebhookScheme<Buffer, BoxParsed> {
  const escapedVariant = options.escapedBodyVariant ?? true;
  const variantMaxBytes = options.escapedBodyVariantMaxBytes ?? ESCAPED_VARIANT_MAX_BYTES;
  const mac = (key: Buffer, body: Buffer, timestampText: string) =>
    hmacOf('sha256', key, body, timestampText);

  const importKey = (secret: string | Buffer): Buffer => importUtf8Secret('Box signature key', secret);

  return {
    name: options.name ?? 'box',
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 10 * 60_000,

    parse(headers: WebhookHeaders, { limits, rawBody }: ParseContext): BoxParsed {
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
        .map((value) => decodeCanonicalBase64(value))
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
        // Here, not in verify(): verify() runs once per configured key.
        escapedBody: escapedVariant && rawBody.length <= variantMaxBytes ? escapeBoxBody(rawBody) : undefined,
      };
    },

    importKey,

    verify(parsed: BoxParsed, rawBody: Buffer, key: Buffer): boolean {
      const exact = anySignatureMatches(mac(key, rawBody, parsed.timestampText), parsed.signatures);
      if (parsed.escapedBody === undefined) return exact;
      const escaped = anySignatureMatches(
        mac(key, parsed.escapedBody, parsed.timestampText),
        parsed.signatures,
      );
      return exact || escaped;
    },

    // Escaping is idempotent, so both spellings of one delivery key alike. Over the cap only the
    // received spelling verifies, and the key is over it.
    replayId(parsed: BoxParsed, rawBody: Buffer): string {
      return signedContentReplayId(parsed.timestampText, parsed.escapedBody ?? rawBody);
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

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const DELETE = 0x7f;

/**
 * The Box SDK's `jsonStringifyWithEscapedUnicode` applied to the received text (decoded as
 * `Buffer.toString('utf8')` does: each invalid sequence becomes U+FFFD): every UTF-16 unit from
 * U+007F up becomes `\uXXXX` and every `/` not preceded by a backslash becomes `\/`. One pass over
 * the bytes; undefined when the result would equal the body.
 */
function escapeBoxBody(body: Buffer): Buffer | undefined {
  // Native scans: most bodies (ASCII without `/`) need no pass at all.
  if (isAscii(body) && body.indexOf(DELETE) === -1 && body.indexOf(SLASH) === -1) return undefined;
  // At most 6 output bytes per input byte (U+007F and each invalid byte become `\uXXXX`).
  const out = Buffer.allocUnsafe(body.length * 6);
  let length = 0;
  let changed = false;
  const unit = (code: number) => {
    out[length] = BACKSLASH;
    out[length + 1] = 0x75; // u
    out[length + 2] = HEX[code >> 12]!;
    out[length + 3] = HEX[(code >> 8) & 0xf]!;
    out[length + 4] = HEX[(code >> 4) & 0xf]!;
    out[length + 5] = HEX[code & 0xf]!;
    length += 6;
  };
  const end = body.length;
  let i = 0;
  while (i < end) {
    const byte = body[i++]!;
    if (byte < DELETE) {
      if (byte === SLASH && (i === 1 || body[i - 2] !== BACKSLASH)) {
        out[length++] = BACKSLASH;
        changed = true;
      }
      out[length++] = byte;
      continue;
    }
    changed = true;
    // The WHATWG UTF-8 decoder (what toString('utf8') follows): a sequence that breaks off yields
    // one U+FFFD, and the byte that broke it is read again.
    let needed = 0;
    let code = byte;
    let lower = 0x80;
    let upper = 0xbf;
    if (byte >= 0xc2 && byte <= 0xdf) {
      needed = 1;
      code = byte & 0x1f;
    } else if (byte >= 0xe0 && byte <= 0xef) {
      needed = 2;
      code = byte & 0xf;
      if (byte === 0xe0) lower = 0xa0;
      else if (byte === 0xed) upper = 0x9f;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      needed = 3;
      code = byte & 0x7;
      if (byte === 0xf0) lower = 0x90;
      else if (byte === 0xf4) upper = 0x8f;
    } else if (byte !== DELETE) {
      code = 0xfffd;
    }
    for (let seen = 0; seen < needed; seen++) {
      const next = i < end ? body[i]! : -1;
      if (next < lower || next > upper) {
        code = 0xfffd;
        break;
      }
      code = (code << 6) | (next & 0x3f);
      lower = 0x80;
      upper = 0xbf;
      i++;
    }
    if (code > 0xffff) {
      unit(0xd800 + ((code - 0x10000) >> 10));
      unit(0xdc00 + ((code - 0x10000) & 0x3ff));
    } else unit(code);
  }
  return changed ? out.subarray(0, length) : undefined;
}
