import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';

/** Form parameters read before authentication at most (senders send a few dozen). */
export const MAX_FORM_PARAMETERS = 1_000;

const AMPERSAND = 0x26;
const QUESTION_MARK = 0x3f;

/**
 * The name/value pairs of an `application/x-www-form-urlencoded` body, exactly as
 * `new URLSearchParams(body.toString('utf8'))` reads them, but stopping at the cap: the bytes after
 * the parameter that exceeds it are never read (a forged 1 MiB form costs what its first pairs do).
 * Throws `body_too_large` past the cap.
 */
export function boundedFormEntries(body: Buffer, maxParameters = MAX_FORM_PARAMETERS): [string, string][] {
  const entries: [string, string][] = [];
  // URLSearchParams drops one leading `?` of its input.
  let start = body[0] === QUESTION_MARK ? 1 : 0;
  while (start < body.length) {
    if (body[start] === AMPERSAND) {
      start++;
      continue;
    }
    if (entries.length === maxParameters) {
      throw new WebhookVerificationError(
        'body_too_large',
        `The form has more than ${maxParameters} parameters.`,
      );
    }
    let end = body.indexOf(AMPERSAND, start);
    if (end === -1) end = body.length;
    entries.push(formPair(body.toString('utf8', start, end)));
    start = end + 1;
  }
  return entries;
}

/**
 * One `name=value` sequence (no `&`). Splitting the bytes at `&` decodes alike: `&` never continues
 * a UTF-8 sequence, so a broken one before it becomes U+FFFD either way.
 */
function formPair(sequence: string): [string, string] {
  const equals = sequence.indexOf('=');
  return equals === -1
    ? [formDecode(sequence), '']
    : [formDecode(sequence.slice(0, equals)), formDecode(sequence.slice(equals + 1))];
}

/** `+` as space, then percent escapes as UTF-8 bytes (a name, or a value: no `&`). */
function formDecode(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    // Native and strict: equal to the form decoding whenever every escape is well-formed UTF-8.
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    // A stray `%` or broken UTF-8: the platform's own lenient decoding (each bad byte U+FFFD).
    return new URLSearchParams(`a=${text}`).get('a')!;
  }
}
