import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { parseKeyValueHeader, timestampAndSignatures } from '../kit/key-value-header.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { JSON_CONTENT_TYPE, signTime } from '../kit/sign-input.js';
import { decodeSignatures } from '../kit/signature-decoding.js';
import { requireSignatureHeader } from '../kit/signature-header.js';
import { parseUnixMillis } from '../timestamp.js';
import type { ParseContext, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import type { TimestampedHmacParsed } from '../families/timestamped-hmac.scheme.js';

export interface GhostOptions {
  /** Scheme name for logs and the default endpoint. Default `ghost`. */
  name?: string;
  /** Freshness window in ms for the signed `t`, both directions. Default 5 minutes. */
  toleranceMs?: number;
}

const HEADER = 'x-ghost-signature';
const SHA256_BYTES = 32;

/**
 * Ghost (custom integration webhooks): `X-Ghost-Signature: sha256=<hex>, t=<unix ms>`, the hex
 * HMAC-SHA256(the webhook's secret as UTF-8, `${rawBody}${t}`): the timestamp follows the body with
 * no separator. A body ends with `}` and the timestamp must be fresh, so digits cannot move between
 * them into an accepted delivery. Replays are keyed on a digest of the body.
 */
export function ghost(options: GhostOptions = {}): WebhookScheme<Buffer, TimestampedHmacParsed> {
  const name = options.name ?? 'ghost';
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${name} secret`, secret);
  const mac = (key: Buffer, body: Buffer, timestampText: string) =>
    hmacOf('sha256', key, body, timestampText);

  return {
    name,
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,
    payloadFormat: 'json',

    parse(headers: WebhookHeaders, { limits }: ParseContext): TimestampedHmacParsed {
      const value = requireSignatureHeader(headers, HEADER, limits);
      const { timestampText, candidates } = timestampAndSignatures(
        parseKeyValueHeader(value, ',', HEADER, limits),
        't',
        'sha256',
        HEADER,
      );
      if (timestampText === undefined) {
        throw new WebhookVerificationError('malformed_header', `Header ${HEADER} has no timestamp.`);
      }
      const timestamp = parseUnixMillis(timestampText);
      if (candidates.length === 0) {
        throw new WebhookVerificationError(
          'malformed_signature',
          `Header ${HEADER} has no sha256 signature.`,
        );
      }
      return {
        signatures: decodeSignatures(candidates, 'hex', SHA256_BYTES, HEADER),
        timestamp,
        timestampText,
      };
    },

    importKey,

    verify(parsed: TimestampedHmacParsed, rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(mac(key, rawBody, parsed.timestampText), parsed.signatures);
    },

    sign(input: SignInput): Record<string, string> {
      const timestampText = String(signTime(input));
      const signature = mac(importKey(input.secret), toBuffer(input.body), timestampText).toString('hex');
      return { [HEADER]: `sha256=${signature}, t=${timestampText}`, 'content-type': JSON_CONTENT_TYPE };
    },
  };
}
