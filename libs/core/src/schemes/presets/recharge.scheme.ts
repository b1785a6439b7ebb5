import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { toBuffer } from '../kit/bytes.js';
import { sha256 } from '../kit/hmac-digest.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { decodeSignatures } from '../kit/signature-decoding.js';
import { requireSignatureHeader } from '../kit/signature-header.js';

export interface RechargeOptions {
  /** Must be `true`: this scheme is weak (see below) and is only offered for existing integrations. */
  legacy: boolean;
  /** Scheme name for logs and the default endpoint. Default `recharge`. */
  name?: string;
}

const SIGNATURE = 'x-recharge-hmac-sha256';

/**
 * Recharge (legacy) — SECONDARY (PROVIDERS.md §9): despite its name, `X-Recharge-Hmac-Sha256` is NOT
 * an HMAC but hex SHA-256(client secret + rawBody). WEAK: a plain hash of secret‖message allows
 * length extension — anyone holding one delivery can compute a valid hash for that body with bytes
 * appended. This preset therefore also requires the body to be one valid JSON value (an extended
 * body carries SHA-256 padding bytes and fails that), but prefer Recharge's newer scheme when you
 * can. No timestamp: replays are caught only while the replay store remembers the body.
 */
export function recharge(options: RechargeOptions): WebhookScheme<Buffer> {
  if (options?.legacy !== true) {
    throw new Error(
      'recharge(): Recharge signs with sha256(secret + body), which is weaker than an HMAC; pass { legacy: true } to accept it knowingly.',
    );
  }
  const name = options.name ?? 'recharge';
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${name} secret`, secret);

  return {
    name,
    signs: { id: false, timestamp: false, type: false },
    defaultToleranceMs: undefined,

    parse(headers: WebhookHeaders, { limits }: ParseContext): ParsedWebhook {
      const value = requireSignatureHeader(headers, SIGNATURE, limits);
      const signatures = decodeSignatures([value], 'hex', 32, SIGNATURE);
      const type = readHeader(headers, 'x-recharge-topic', limits.maxHeaderLength) || undefined;
      return { signatures, type };
    },

    importKey,

    verify(parsed: ParsedWebhook, rawBody: Buffer, key: Buffer): boolean {
      const matched = anySignatureMatches(sha256(key, rawBody), parsed.signatures);
      return matched && isJson(rawBody);
    },

    sign(input: SignInput): Record<string, string> {
      return {
        [SIGNATURE]: sha256(importKey(input.secret), toBuffer(input.body)).toString('hex'),
        'content-type': 'application/json',
      };
    },
  };
}

function isJson(rawBody: Buffer): boolean {
  try {
    JSON.parse(rawBody.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
