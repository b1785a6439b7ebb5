import { WebhookVerificationError } from '../errors/webhook-verification.error.js';

/** Incoming headers as Node, Express, Fastify and Lambda hand them over (names in any case). */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The header byte length we read at most before authentication. */
export const DEFAULT_MAX_HEADER_LENGTH = 8 * 1024;

/**
 * Reads one header by its lower-case name. Node lower-cases incoming names; other hosts (Lambda,
 * hand-built objects) may not, so fall back to a case-insensitive scan only when needed.
 * A header sent several times is refused: a signature or id must be unambiguous.
 */
export function readHeader(
  headers: WebhookHeaders,
  name: string,
  maxLength = DEFAULT_MAX_HEADER_LENGTH,
): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.length === name.length && key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    if (value.length !== 1) {
      throw new WebhookVerificationError('malformed_header', `Header ${name} was sent more than once.`);
    }
    value = value[0]!;
  }
  if (value.length > maxLength) {
    throw new WebhookVerificationError(
      'malformed_header',
      `Header ${name} is longer than ${maxLength} bytes.`,
    );
  }
  return value;
}

/** The first of several header names that is present, e.g. `webhook-id` or its `svix-id` alias. */
export function readFirstHeader(
  headers: WebhookHeaders,
  names: readonly string[],
  maxLength?: number,
): string | undefined {
  for (const name of names) {
    const value = readHeader(headers, name, maxLength);
    if (value !== undefined) return value;
  }
  return undefined;
}

export function requireHeader(headers: WebhookHeaders, names: readonly string[], maxLength?: number): string {
  const value = readFirstHeader(headers, names, maxLength);
  if (value === undefined || value === '') {
    throw new WebhookVerificationError('missing_header', `Header ${names[0]} is missing.`);
  }
  return value;
}
