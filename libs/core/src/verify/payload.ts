import { parseJsonBody } from '../internal/json-body.js';

/**
 * Parses the verified bytes for the handler: JSON by default, form fields for
 * `application/x-www-form-urlencoded`, text for `text/*`. Malformed JSON yields the text itself:
 * the bytes are authentic, so the handler decides what to do with them.
 */
export function parsePayload(rawBody: Buffer, format: PayloadFormat): unknown {
  if (format === 'form') return Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
  if (format === 'text') return rawBody.toString('utf8');
  if (rawBody.length === 0) return undefined;
  const json = parseJsonBody(rawBody);
  return json.ok ? json.value : rawBody.toString('utf8');
}

export type PayloadFormat = 'form' | 'text' | 'json';

/** How the body is read, by its content type (a header the sender does not sign). */
export function payloadFormat(contentType: string | undefined): PayloadFormat {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return type?.startsWith('text/') ? 'text' : 'json';
}
