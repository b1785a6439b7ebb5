import { createHash } from 'node:crypto';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader } from '../../internal/headers.js';
import type { HandshakeReply, ParsedWebhook, SignInput } from '../webhook-scheme.interface.js';

/** Longest body-borne id we accept as a replay identity; longer ones fall back to a digest. */
const MAX_BODY_ID_LENGTH = 256;

export const toBuffer = (body: string | Buffer): Buffer =>
  Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');

export const signTime = (input: SignInput): number =>
  input.timestamp === undefined
    ? Date.now()
    : typeof input.timestamp === 'number'
      ? input.timestamp
      : input.timestamp.getTime();

export const randomId = (prefix = ''): string =>
  `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

/**
 * A replay identity from signed material: a digest of every signed part (timestamp, body, ...),
 * separated so that no two different inputs collide. Use it where no signed id exists.
 */
export function signedContentReplayId(...parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash
      .update(String(Buffer.byteLength(part)))
      .update(':')
      .update(part);
  }
  return `signed:${hash.digest('base64url')}`;
}

/** The body as a JSON object, or undefined (not JSON, not an object). Call only on verified bytes. */
export function jsonObject(rawBody: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(rawBody.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A non-empty string field of bounded length, else undefined. */
export function stringField(
  object: Record<string, unknown> | undefined,
  name: string,
  maxLength = MAX_BODY_ID_LENGTH,
): string | undefined {
  const value = object?.[name];
  return typeof value === 'string' && value !== '' && value.length <= maxLength ? value : undefined;
}

/** A replay identity from an id inside the signed body, namespaced so it never meets a header id. */
export const bodyIdReplayId = (id: string): string => `body-id:${id}`;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (Twitch, Box) into ms since the epoch; fractions beyond ms are
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
