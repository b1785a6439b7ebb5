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
  if (json.ok || format !== 'json-only') return json.ok ? json.value : rawBody.toString('utf8');
  return jsonInForm(rawBody) ?? rawBody.toString('utf8');
}

/** GitHub's form mode: `payload=<url-encoded JSON>`, signed as sent. Decided by the bytes, not the header. */
function jsonInForm(rawBody: Buffer): unknown {
  const text = rawBody.toString('utf8');
  if (!text.startsWith('payload=')) return undefined;
  const form = new URLSearchParams(text);
  const payload = form.get('payload');
  if (payload === null || [...form.keys()].length !== 1) return undefined;
  const json = parseJsonBody(Buffer.from(payload, 'utf8'));
  return json.ok ? json.value : undefined;
}

/** `json-only`: the scheme says its provider sends nothing else (`WebhookScheme.payloadFormat`). */
export type PayloadFormat = 'form' | 'text' | 'json' | 'json-only';

/** How the body is read: as the scheme defines it, else by its content type (a header the sender does not sign). */
export function payloadFormat(
  contentType: string | undefined,
  scheme?: { payloadFormat?: 'json' },
): PayloadFormat {
  if (scheme?.payloadFormat === 'json') return 'json-only';
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return type?.startsWith('text/') ? 'text' : 'json';
}
