import type { WebhookHeaders } from '../../internal/headers.js';
import { requireHeader } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { parseRfc3339 } from '../kit/rfc3339.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { signTime } from '../kit/sign-input.js';
import { decodeSignatures } from '../kit/signature-decoding.js';
import { requireSignatureHeader } from '../kit/signature-header.js';

export interface ZendeskOptions {
  /** Scheme name for logs and the default endpoint. Default `zendesk`. */
  name?: string;
  /** Freshness window in ms, both directions. Default 5 minutes (Zendesk documents no number). */
  toleranceMs?: number;
}

export interface ZendeskParsed extends ParsedWebhook {
  readonly timestampText: string;
}

const SIGNATURE = 'x-zendesk-webhook-signature';
const TIMESTAMP = 'x-zendesk-webhook-signature-timestamp';

/**
 * Zendesk webhooks: `X-Zendesk-Webhook-Signature` = base64 HMAC-SHA256(signing secret as UTF-8,
 * timestamp + rawBody), `X-Zendesk-Webhook-Signature-Timestamp` an RFC 3339 time
 * (`2021-07-25T10:00:00Z`) signed exactly as sent. The body may be empty (GET/DELETE webhooks).
 * Note: Zendesk *event connectors* sign body + timestamp instead; this preset is for webhooks.
 */
export function zendesk(options: ZendeskOptions = {}): WebhookScheme<Buffer, ZendeskParsed> {
  const name = options.name ?? 'zendesk';
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${name} secret`, secret);
  const mac = (key: Buffer, timestampText: string, body: Buffer) =>
    hmacOf('sha256', key, timestampText, body);

  return {
    name,
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): ZendeskParsed {
      const value = requireSignatureHeader(headers, SIGNATURE, limits);
      const signatures = decodeSignatures([value], 'base64', 32, SIGNATURE);
      const timestampText = requireHeader(headers, [TIMESTAMP], limits.maxHeaderLength);
      return { signatures, timestamp: parseRfc3339(timestampText, TIMESTAMP), timestampText };
    },

    importKey,

    verify(parsed: ZendeskParsed, rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(mac(key, parsed.timestampText, rawBody), parsed.signatures);
    },

    sign(input: SignInput): Record<string, string> {
      const timestampText = new Date(Math.floor(signTime(input) / 1000) * 1000)
        .toISOString()
        .replace('.000Z', 'Z');
      return {
        [SIGNATURE]: mac(importKey(input.secret), timestampText, toBuffer(input.body)).toString('base64'),
        [TIMESTAMP]: timestampText,
        'content-type': 'application/json',
      };
    },
  };
}
