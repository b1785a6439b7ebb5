import type { HandshakeReply, HandshakeRequest, ParsedWebhook } from '../webhook-scheme.interface.js';

export const jsonReply = (body: object, status = 200): HandshakeReply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body,
});

export const isMethod = (request: HandshakeRequest, method: string): boolean =>
  request.method.toUpperCase() === method;

/** A header value safe to echo back in a reply (no control characters, bounded). */
export function echoableValue(value: string | undefined, maxLength = 1024): string | undefined {
  if (value === undefined || value === '' || value.length > maxLength) return undefined;
  return /^[\x21-\x7e]+$/.test(value) ? value : undefined;
}

/** The first key for which the scheme accepts the request (the one the sender holds), else keys[0]. */
export function matchingKey<Key, Parsed extends ParsedWebhook>(
  verify: (parsed: Parsed, rawBody: Buffer, key: Key) => boolean,
  parsed: Parsed,
  rawBody: Buffer,
  keys: readonly Key[],
): Key | undefined {
  return keys.find((key) => verify(parsed, rawBody, key)) ?? keys[0];
}
