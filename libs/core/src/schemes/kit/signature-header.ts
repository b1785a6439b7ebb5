import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readFirstHeader, readHeader } from '../../internal/headers.js';
import type { ParseLimits } from '../webhook-scheme.interface.js';

export interface SignatureHeaderOptions {
  /** How messages name the header (e.g. `Stripe-Signature`). Default: the (first) name read. */
  readonly display?: string;
  /**
   * Whether a value of only whitespace counts as missing (401). Default true; schemes that have
   * always refused it as a malformed signature (400) pass false.
   */
  readonly blankIsMissing?: boolean;
}

/**
 * The signature header (the first present of several names, e.g. `webhook-signature` or its
 * `svix-signature` alias), or `missing_signature` (401) when absent or empty.
 */
export function requireSignatureHeader(
  headers: WebhookHeaders,
  name: string | readonly string[],
  limits: ParseLimits,
  { display, blankIsMissing = true }: SignatureHeaderOptions = {},
): string {
  const value =
    typeof name === 'string'
      ? readHeader(headers, name, limits.maxHeaderLength)
      : readFirstHeader(headers, name, limits.maxHeaderLength);
  if (value === undefined || (blankIsMissing ? value.trim() === '' : value === '')) {
    const shown = display ?? (typeof name === 'string' ? name : name[0]);
    throw new WebhookVerificationError('missing_signature', `Header ${shown} is missing.`);
  }
  return value;
}

export interface SplitOptions {
  /** Non-signature parts allowed beyond `limits.maxSignatures` (a timestamp, other versions). */
  readonly extra?: number;
  /** Drop empty parts (e.g. doubled separators) before counting. */
  readonly skipEmpty?: boolean;
}

/**
 * Splits a header into at most `limits.maxSignatures` (+ `extra`) parts, else `too_many_signatures`.
 * Without a separator the whole value is the one part.
 */
export function splitBounded(
  value: string,
  separator: string | undefined,
  headerName: string,
  limits: ParseLimits,
  { extra = 0, skipEmpty = false }: SplitOptions = {},
): string[] {
  const split = separator === undefined ? [value] : value.split(separator);
  const parts = skipEmpty ? split.filter((part) => part !== '') : split;
  if (parts.length > limits.maxSignatures + extra) {
    throw new WebhookVerificationError(
      'too_many_signatures',
      `Header ${headerName} lists too many signatures.`,
    );
  }
  return parts;
}
