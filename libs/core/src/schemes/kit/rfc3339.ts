import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';

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
