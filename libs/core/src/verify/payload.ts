/**
 * Parses the verified bytes for the handler: JSON by default, form fields for
 * `application/x-www-form-urlencoded`, text for `text/*`. Malformed JSON yields the text itself:
 * the bytes are authentic, so the handler decides what to do with them.
 */
export function parsePayload(rawBody: Buffer, contentType: string | undefined): unknown {
  const text = rawBody.toString('utf8');
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type?.startsWith('text/')) return text;
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
