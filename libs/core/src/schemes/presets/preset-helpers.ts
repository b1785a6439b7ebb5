import { createHash, createHmac } from 'node:crypto';
import { parseJsonBody } from '../../internal/json-body.js';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { SignatureEncoding } from '../../internal/encoding.js';
import { decodeSignature } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader, requireSignature } from '../../internal/headers.js';
import { anySignatureMatches, safeEqual } from '../../internal/safe-compare.js';
import { hasStrayWhitespace } from '../../secrets/secret.js';
import { hmac } from '../hmac.scheme.js';
import { parseUnixSeconds, toUnixSeconds } from '../timestamp.js';
import type {
  HandshakeReply,
  HandshakeRequest,
  ParseContext,
  ParseLimits,
  ParsedWebhook,
  SignInput,
  WebhookScheme,
} from '../webhook-scheme.interface.js';

/** Shared building blocks for the provider presets. */

export type Bytes = string | Buffer;

/** Longest body-borne id we accept as a replay identity; longer ones fall back to a digest. */
import { signedContentReplayId } from '../../replay/replay-key.js';

export { signedContentReplayId };

export const MAX_BODY_ID_LENGTH = 256;

export const toBuffer = (body: Bytes): Buffer => (Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));

/** The signing time of a SignInput in ms; defaults to now. */
export const signTime = (input: SignInput): number =>
  input.timestamp === undefined
    ? Date.now()
    : typeof input.timestamp === 'number'
      ? input.timestamp
      : input.timestamp.getTime();

export const randomId = (prefix = ''): string =>
  `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

/**
 * The body as a JSON object, or undefined (not JSON, not an object). Call only on verified (or
 * otherwise bounded) bytes.
 */
export function jsonObject(rawBody: Buffer): Record<string, unknown> | undefined {
  const { value } = parseJsonBody(rawBody);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * A non-empty string field of bounded length, else undefined. With `numbers`, a finite number field
 * counts too, as its text.
 */
export function stringField(
  object: Record<string, unknown> | undefined,
  name: string,
  maxLength = MAX_BODY_ID_LENGTH,
  { numbers = false }: { readonly numbers?: boolean } = {},
): string | undefined {
  const value = object?.[name];
  const text =
    typeof value === 'string'
      ? value
      : numbers && typeof value === 'number' && Number.isFinite(value)
        ? String(value)
        : undefined;
  return text !== undefined && text !== '' && text.length <= maxLength ? text : undefined;
}

/** A replay identity from an id inside the signed body, namespaced so it never meets a header id. */
export const bodyIdReplayId = (id: string): string => `body-id:${id}`;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (Twitch, Box, Zendesk) into ms since the epoch; fractions beyond ms are
 * truncated. Strict: `Date.parse` alone accepts many other shapes.
 */
export function parseRfc3339(value: string, header: string): number {
  const match = RFC3339.exec(value);
  if (!match) {
    throw new WebhookVerificationError('malformed_header', `Header ${header} is not an RFC 3339 timestamp.`);
  }
  const fraction = (match[7] ?? '').slice(0, 4);
  const normalized = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${fraction}${match[8]!.toUpperCase()}`;
  const ms = Date.parse(normalized);
  if (Number.isNaN(ms)) {
    throw new WebhookVerificationError('malformed_header', `Header ${header} is not a valid date.`);
  }
  return ms;
}

/** RFC 3339 in UTC with ms, as a sender would write it. */
export const formatRfc3339 = (ms: number): string => new Date(ms).toISOString();

/** A header that must be one of the given values when present (e.g. a signature version). */
export function requireHeaderValue(
  headers: WebhookHeaders,
  name: string,
  expected: string,
  maxLength: number,
): void {
  const value = readHeader(headers, name, maxLength);
  if (value === undefined || value === '') {
    throw new WebhookVerificationError('missing_header', `Header ${name} is missing.`);
  }
  if (value !== expected) {
    throw new WebhookVerificationError('malformed_header', `Header ${name} must be ${expected}.`);
  }
}

export const jsonReply = (body: object, status = 200): HandshakeReply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body,
});

/** The first key for which the scheme accepts the request (the one the sender holds), else keys[0]. */
export function matchingKey<Key, Parsed extends ParsedWebhook>(
  verify: (parsed: Parsed, rawBody: Buffer, key: Key) => boolean,
  parsed: Parsed,
  rawBody: Buffer,
  keys: readonly Key[],
): Key | undefined {
  return keys.find((key) => verify(parsed, rawBody, key)) ?? keys[0];
}

/** HMAC over several parts in order, without building one big string. */
export function hmacOf(algorithm: string, key: Buffer, ...parts: Bytes[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export const sha256 = (...parts: Bytes[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/**
 * A UTF-8 secret as most providers use it: refuses an empty value and stray whitespace (the most
 * common copy-paste fault, which silently breaks every signature). `label` names the secret in the
 * messages (`stripe secret`, `Box signature key`); the message never holds the secret. An empty key
 * (an unset variable turned into a Buffer) would let anyone sign, so it is always refused.
 */
export function importUtf8Secret(label: string, secret: string | Buffer): Buffer {
  if (Buffer.isBuffer(secret)) {
    if (secret.length === 0) {
      throw new WebhookVerificationError('invalid_secret', `The ${label} is empty.`);
    }
    return secret;
  }
  if (secret === '') throw new WebhookVerificationError('invalid_secret', `The ${label} is empty.`);
  if (hasStrayWhitespace(secret)) {
    throw new WebhookVerificationError('invalid_secret', `The ${label} has stray whitespace.`);
  }
  return Buffer.from(secret, 'utf8');
}

/** The signature header, or `missing_signature` (401) when absent or empty. */
export function requireSignatureHeader(headers: WebhookHeaders, name: string, limits: ParseLimits): string {
  const value = readHeader(headers, name, limits.maxHeaderLength);
  if (value === undefined || value.trim() === '') {
    throw new WebhookVerificationError('missing_signature', `Header ${name} is missing.`);
  }
  return value;
}

/** Splits a header into at most `limits.maxSignatures` parts (plus `extra` non-signature parts). */
export function splitBounded(
  value: string,
  separator: string,
  headerName: string,
  limits: ParseLimits,
  extra = 0,
): string[] {
  const parts = value.split(separator);
  if (parts.length > limits.maxSignatures + extra) {
    throw new WebhookVerificationError(
      'too_many_signatures',
      `Header ${headerName} lists too many signatures.`,
    );
  }
  return parts;
}

/**
 * Parses `k=v<sep>k=v…` headers (Paddle `ts=…;h1=…`, Mux `t=…,v1=…`, PagerDuty `v1=…,v1=…`).
 * Entries without `=` are malformed; unknown keys are kept for the caller to skip.
 */
export function parseKeyValueHeader(
  value: string,
  separator: string,
  headerName: string,
  limits: ParseLimits,
): { key: string; value: string }[] {
  const entries: { key: string; value: string }[] = [];
  // One extra part for the timestamp entry.
  for (const raw of splitBounded(value, separator, headerName, limits, 1)) {
    const part = raw.trim();
    if (part === '') continue;
    const equals = part.indexOf('=');
    if (equals <= 0) {
      throw new WebhookVerificationError(
        'malformed_header',
        `Header ${headerName} is not a list of key=value.`,
      );
    }
    entries.push({ key: part.slice(0, equals), value: part.slice(equals + 1) });
  }
  return entries;
}

/** Decodes every candidate of the right length; none → `malformed_signature` (400). */
export function decodeSignatures(
  values: readonly string[],
  encoding: SignatureEncoding,
  bytes: number,
  headerName: string,
): Buffer[] {
  const signatures: Buffer[] = [];
  for (const value of values) {
    const signature = decodeSignature(value.trim(), encoding);
    if (signature?.length === bytes) signatures.push(signature);
  }
  if (signatures.length === 0) {
    throw new WebhookVerificationError(
      'malformed_signature',
      `Header ${headerName} holds no well-formed signature.`,
    );
  }
  return signatures;
}

/**
 * The public URL a provider signed. A configured URL wins (it is exactly what was registered with the
 * provider); else the URL the adapter derived from `publicBaseUrl` / trusted proxy headers. The Host
 * header is never read here: trusting it would let a client choose the signed URL.
 */
export function requireSignedUrl(scheme: string, context: ParseContext, configured?: string): string {
  const url = configured ?? context.url;
  if (url === undefined || url === '') {
    throw new WebhookVerificationError(
      'missing_public_url',
      `The ${scheme} scheme signs the request URL, but no public URL is known: configure publicBaseUrl (or the scheme's URL option).`,
    );
  }
  if (url.length > context.limits.maxHeaderLength) {
    throw new WebhookVerificationError(
      'malformed_header',
      'The request URL is longer than the header limit.',
    );
  }
  return url;
}

/** The default Content-Type a preset's `sign()` reports. */
export const JSON_CONTENT_TYPE = 'application/json';

/** The media type of a request, lower-cased, without parameters. */
export function mediaTypeOf(headers: WebhookHeaders, limits?: ParseLimits): string | undefined {
  return readHeader(headers, 'content-type', limits?.maxHeaderLength)?.split(';', 1)[0]?.trim().toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Timestamped header HMACs: Paddle (`ts=…;h1=…`, `ts:body`) and Mux (`t=…,v1=…`, `t.body`)
// ---------------------------------------------------------------------------------------------

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
}

const SHA256_BYTES = 32;

/** A `t=<unix s>` + several `<v>=<hex HMAC-SHA256>` header over `${t}${sep}${body}`; any match passes. */
export function timestampedHmac(config: TimestampedHmacConfig): WebhookScheme<Buffer, TimestampedHmacParsed> {
  const header = config.header.toLowerCase();
  const mac = (key: Buffer, timestampText: string, body: Buffer) =>
    hmacOf('sha256', key, timestampText, config.contentSeparator, body);
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${config.name} secret`, secret);
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
      let timestampText: string | undefined;
      const candidates: string[] = [];
      for (const entry of parseKeyValueHeader(value, config.entrySeparator, header, limits)) {
        if (entry.key === config.timestampKey) {
          if (timestampText !== undefined) {
            throw new WebhookVerificationError('malformed_header', `Header ${header} has two timestamps.`);
          }
          timestampText = entry.value;
        } else if (entry.key === config.signatureKey) {
          candidates.push(entry.value);
        }
      }
      if (timestampText === undefined) {
        throw new WebhookVerificationError('malformed_header', `Header ${header} has no timestamp.`);
      }
      const timestamp = parseUnixSeconds(timestampText);
      if (candidates.length === 0) {
        throw new WebhookVerificationError(
          'malformed_signature',
          `Header ${header} has no ${config.signatureKey} signature.`,
        );
      }
      const signatures = decodeSignatures(candidates, 'hex', SHA256_BYTES, header);
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
      const timestampText = String(toUnixSeconds(signTime(input)));
      const signature = mac(importKey(input.secret), timestampText, toBuffer(input.body)).toString('hex');
      return {
        [header]: `${config.timestampKey}=${timestampText}${config.entrySeparator}${config.signatureKey}=${signature}`,
        'content-type': JSON_CONTENT_TYPE,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// `v0` HMACs: Slack and Zoom (`v0=<hex HMAC-SHA256 of v0:{timestamp}:{body}>`, Unix-seconds header)
// ---------------------------------------------------------------------------------------------

export interface V0HmacConfig {
  readonly name: string;
  readonly signatureHeader: string;
  readonly timestampHeader: string;
  readonly toleranceMs: number;
}

/** A digest of the signed Unix-seconds timestamp and body: the `v0` replay key without a body id. */
export const v0ReplayId = (parsed: ParsedWebhook, rawBody: Buffer): string =>
  signedContentReplayId(String(toUnixSeconds(parsed.timestamp ?? 0)), rawBody);

/** The `v0` HMAC, keyed for replays by `v0ReplayId`. */
export function v0Hmac(config: V0HmacConfig): WebhookScheme<Buffer> {
  return {
    ...hmac({ ...config, prefix: 'v0=', signedContent: 'v0:{timestamp}:{body}' }),
    replayId: v0ReplayId,
  };
}

// ---------------------------------------------------------------------------------------------
// URL-bound HMACs: Square (url + body) and Trello (body + callback URL)
// ---------------------------------------------------------------------------------------------

export interface UrlHmacParsed extends ParsedWebhook {
  readonly url: string;
}

export interface UrlHmacConfig {
  readonly name: string;
  readonly header: string;
  readonly algorithm: 'sha256' | 'sha1';
  readonly urlPosition: 'before-body' | 'after-body';
  /** The URL exactly as registered with the provider; else the adapter's public URL. */
  readonly url?: string | undefined;
}

/** A bare base64 HMAC over the body and the public URL the provider posted to. */
export function urlHmac(config: UrlHmacConfig): WebhookScheme<Buffer, UrlHmacParsed> {
  const header = config.header.toLowerCase();
  const digestBytes = config.algorithm === 'sha256' ? 32 : 20;
  const mac = (key: Buffer, url: string, body: Buffer) =>
    config.urlPosition === 'before-body'
      ? hmacOf(config.algorithm, key, url, body)
      : hmacOf(config.algorithm, key, body, url);
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${config.name} secret`, secret);

  return {
    name: config.name,
    signs: { id: false, timestamp: false, type: false },
    defaultToleranceMs: undefined,

    parse(headers: WebhookHeaders, context: ParseContext): UrlHmacParsed {
      const value = requireSignatureHeader(headers, header, context.limits);
      const signatures = decodeSignatures([value], 'base64', digestBytes, header);
      return { signatures, url: requireSignedUrl(config.name, context, config.url) };
    },

    importKey,

    verify(parsed: UrlHmacParsed, rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(mac(key, parsed.url, rawBody), parsed.signatures);
    },

    sign(input: SignInput): Record<string, string> {
      const url = input.url ?? config.url;
      if (url === undefined) throw new Error(`${config.name}.sign(): the URL is required.`);
      return {
        [header]: mac(importKey(input.secret), url, toBuffer(input.body)).toString('base64'),
        'content-type': JSON_CONTENT_TYPE,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shared bearer tokens: GitLab X-Gitlab-Token, Okta's configured Authorization header
// ---------------------------------------------------------------------------------------------

export interface SharedTokenConfig {
  readonly name: string;
  readonly header: string;
  readonly idHeaders?: readonly string[];
  readonly typeHeader?: string;
}

/**
 * Not a signature: the sender repeats a shared secret in a header. Both sides are hashed with
 * SHA-256 before `timingSafeEqual`, so neither the comparison time nor a length check tells anything
 * about the secret's length or content. The body is NOT authenticated beyond TLS.
 */
export function sharedToken(config: SharedTokenConfig): WebhookScheme<Buffer> {
  const header = config.header.toLowerCase();
  return {
    name: config.name,
    signs: { id: false, timestamp: false, type: false, body: false },
    defaultToleranceMs: undefined,

    parse(headers: WebhookHeaders, { limits }: ParseContext): ParsedWebhook {
      const token = requireSignature(readHeader(headers, header, limits.maxHeaderLength), header);
      let id: string | undefined;
      for (const name of config.idHeaders ?? []) {
        id ??= readHeader(headers, name, limits.maxHeaderLength) || undefined;
      }
      const type = config.typeHeader
        ? readHeader(headers, config.typeHeader, limits.maxHeaderLength) || undefined
        : undefined;
      return { signatures: [sha256(token)], id, type };
    },

    importKey(secret: string | Buffer): Buffer {
      return sha256(importUtf8Secret(`${config.name} secret`, secret));
    },

    verify(parsed: ParsedWebhook, _rawBody: Buffer, key: Buffer): boolean {
      let matched = false;
      for (const candidate of parsed.signatures) if (safeEqual(key, candidate)) matched = true;
      return matched;
    },

    sign(input: SignInput): Record<string, string> {
      const token = Buffer.isBuffer(input.secret) ? input.secret.toString('utf8') : input.secret;
      const headers: Record<string, string> = { [header]: token, 'content-type': JSON_CONTENT_TYPE };
      if (config.idHeaders?.[0] && input.id !== undefined) headers[config.idHeaders[0]] = input.id;
      if (config.typeHeader && input.type !== undefined) headers[config.typeHeader] = input.type;
      return headers;
    },
  };
}

/** A header value safe to echo back in a reply (no control characters, bounded). */
export function echoableValue(value: string | undefined, maxLength = 1024): string | undefined {
  if (value === undefined || value === '' || value.length > maxLength) return undefined;
  return /^[\x21-\x7e]+$/.test(value) ? value : undefined;
}

export const isMethod = (request: HandshakeRequest, method: string): boolean =>
  request.method.toUpperCase() === method;
