import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader } from '../../internal/headers.js';
import type { ParseLimits } from '../webhook-scheme.interface.js';

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

/** The media type of a request, lower-cased, without parameters. */
export function mediaTypeOf(headers: WebhookHeaders, limits?: ParseLimits): string | undefined {
  return readHeader(headers, 'content-type', limits?.maxHeaderLength)?.split(';', 1)[0]?.trim().toLowerCase();
}
