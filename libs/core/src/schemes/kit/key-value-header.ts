import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { ParseLimits } from '../webhook-scheme.interface.js';
import { splitBounded } from './signature-header.js';

export interface KeyValueEntry {
  readonly key: string;
  readonly value: string;
}

export interface KeyValueOptions {
  /** Parts allowed beyond `limits.maxSignatures`. Default 1, for the timestamp entry. */
  readonly extra?: number;
  /** Skip entries without `key=` instead of refusing the header (as stripe-node does). */
  readonly skipMalformed?: boolean;
}

/**
 * Parses `k=v<sep>k=v…` headers (Stripe `t=…,v1=…`, Paddle `ts=…;h1=…`, Mux `t=…,v1=…`). Entries
 * without `=` are malformed; unknown keys are kept for the caller to skip.
 */
export function parseKeyValueHeader(
  value: string,
  separator: string,
  headerName: string,
  limits: ParseLimits,
  { extra = 1, skipMalformed = false }: KeyValueOptions = {},
): KeyValueEntry[] {
  const entries: KeyValueEntry[] = [];
  for (const raw of splitBounded(value, separator, headerName, limits, { extra })) {
    const part = raw.trim();
    if (part === '') continue;
    const equals = part.indexOf('=');
    if (equals <= 0) {
      if (skipMalformed) continue;
      throw new WebhookVerificationError(
        'malformed_header',
        `Header ${headerName} is not a list of key=value.`,
      );
    }
    entries.push({ key: part.slice(0, equals), value: part.slice(equals + 1) });
  }
  return entries;
}

/**
 * The one timestamp and every signature candidate of a key=value list; other keys are skipped. A
 * second timestamp is refused: which one was signed would be ambiguous.
 */
export function timestampAndSignatures(
  entries: readonly KeyValueEntry[],
  timestampKey: string,
  signatureKey: string,
  display: string,
): { timestampText: string | undefined; candidates: string[] } {
  let timestampText: string | undefined;
  const candidates: string[] = [];
  for (const { key, value } of entries) {
    if (key === timestampKey) {
      if (timestampText !== undefined) {
        throw new WebhookVerificationError('malformed_header', `Header ${display} has two timestamps.`);
      }
      timestampText = value;
    } else if (key === signatureKey) {
      candidates.push(value);
    }
  }
  return { timestampText, candidates };
}
