import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeHex } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import { boundedFormEntries } from '../kit/bounded-form.js';
import { parseUnixSeconds, toUnixSeconds } from '../timestamp.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { jsonObject } from '../kit/json-fields.js';
import { mediaTypeOf } from '../kit/request-headers.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { signTime } from '../kit/sign-input.js';

export interface MailgunOptions {
  /** Scheme name for logs and the default endpoint. Default `mailgun`. */
  name?: string;
  /** Freshness window in ms, both directions. Default 5 minutes (Mailgun documents no number). */
  toleranceMs?: number;
}

export interface MailgunParsed extends ParsedWebhook {
  readonly id: string;
  readonly timestampText: string;
}

const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Mailgun: the signature travels in the body — JSON `{"signature": {timestamp, token, signature}}`
 * or (legacy) url-encoded form fields `timestamp`, `token`, `signature`. `signature` = hex
 * HMAC-SHA256(HTTP webhook signing key, timestamp + token).
 *
 * CAUTION: Mailgun signs only timestamp + token, NOT the event data. A captured delivery's
 * (timestamp, token, signature) can be attached to forged event data. What stops it: the token is
 * the replay identity (one use per replay window), and the timestamp must be fresh. Keep replay
 * protection on for this scheme, and treat the event data as a hint (re-fetch from Mailgun's API
 * when it matters). Multipart deliveries are not supported.
 */
export function mailgun(options: MailgunOptions = {}): WebhookScheme<Buffer, MailgunParsed> {
  const name = options.name ?? 'mailgun';
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${name} secret`, secret);
  const mac = (key: Buffer, timestampText: string, token: string) =>
    hmacOf('sha256', key, timestampText, token);

  return {
    name,
    signs: { id: true, timestamp: true, type: false, body: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, context: ParseContext): MailgunParsed {
      const fields = signatureFields(headers, context);
      if (fields === undefined) {
        throw new WebhookVerificationError('missing_signature', 'The Mailgun body carries no signature.');
      }
      const { timestampText, token, signature: signatureText } = fields;
      if (!TOKEN.test(token)) {
        throw new WebhookVerificationError('malformed_header', 'The Mailgun token is malformed.');
      }
      const signature = decodeHex(signatureText);
      if (signature?.length !== 32) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'The Mailgun signature is not a hex SHA-256 HMAC.',
        );
      }
      return {
        signatures: [signature],
        id: token,
        timestamp: parseUnixSeconds(timestampText),
        timestampText,
      };
    },

    importKey,

    verify(parsed: MailgunParsed, _rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(mac(key, parsed.timestampText, parsed.id), parsed.signatures);
    },

    replayId(parsed: MailgunParsed): string {
      return `token:${parsed.id}`;
    },

    /** Returns only a content type: the signature goes in the body — see `mailgunSignature`. */
    sign(input: SignInput): Record<string, string> {
      importKey(input.secret);
      return { 'content-type': 'application/json' };
    },
  };
}

/** The `signature` object Mailgun embeds in a JSON delivery, for tests and local senders. */
export function mailgunSignature(
  secret: string | Buffer,
  token: string,
  timestamp: Date | number = Date.now(),
): { timestamp: string; token: string; signature: string } {
  const timestampText = String(toUnixSeconds(signTime({ secret, body: '', timestamp })));
  const signature = hmacOf(
    'sha256',
    importUtf8Secret('mailgun secret', secret),
    timestampText,
    token,
  ).toString('hex');
  return { timestamp: timestampText, token, signature };
}

function signatureFields(
  headers: WebhookHeaders,
  context: ParseContext,
): { timestampText: string; token: string; signature: string } | undefined {
  const type = mediaTypeOf(headers, context.limits);
  if (type === 'multipart/form-data') {
    throw new WebhookVerificationError(
      'malformed_header',
      'Mailgun multipart deliveries are not supported; choose JSON webhooks in Mailgun.',
    );
  }
  const limit = context.limits.maxHeaderLength;
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value.length <= limit
      ? value
      : typeof value === 'number' && Number.isSafeInteger(value)
        ? String(value)
        : undefined;
  if (type === 'application/x-www-form-urlencoded') {
    // Before authentication: the parser stops at the parameter cap instead of reading the whole form.
    const form = boundedFormEntries(context.rawBody);
    const pick = (key: string) => {
      const values = form.filter(([name]) => name === key);
      return values.length === 1 ? text(values[0]![1]) : undefined;
    };
    const timestampText = pick('timestamp');
    const token = pick('token');
    const signature = pick('signature');
    return timestampText !== undefined && token !== undefined && signature !== undefined
      ? { timestampText, token, signature }
      : undefined;
  }
  const block = jsonObject(context.rawBody)?.signature;
  if (typeof block !== 'object' || block === null) return undefined;
  const record = block as Record<string, unknown>;
  const timestampText = text(record.timestamp);
  const token = text(record.token);
  const signature = text(record.signature);
  return timestampText !== undefined && token !== undefined && signature !== undefined
    ? { timestampText, token, signature }
    : undefined;
}
