import { parseJsonBody } from '../../internal/json-body.js';

/** Longest body-borne id we accept as a replay identity; longer ones fall back to a digest. */
export const MAX_BODY_ID_LENGTH = 256;

/**
 * The body as a JSON object, or undefined (not JSON, not an object). Call only on verified (or
 * otherwise bounded) bytes.
 */
export function jsonObject(rawBody: Buffer): Record<string, unknown> | undefined {
  const { value } = parseJsonBody(rawBody);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * A non-empty string field of bounded length, else undefined. With `numbers`, a finite number field
 * counts too, as its text.
 */
export function stringField(
  object: Record<string, unknown> | undefined,
  name: string,
  maxLength = MAX_BODY_ID_LENGTH,
  { numbers = false }: { readonly numbers?: boolean } = {},
): string | undefined {
  const value = object?.[name];
  const text =
    typeof value === 'string'
      ? value
      : numbers && typeof value === 'number' && Number.isFinite(value)
        ? String(value)
        : undefined;
  return text !== undefined && text !== '' && text.length <= maxLength ? text : undefined;
}

/** A replay identity from an id inside the signed body, namespaced so it never meets a header id. */
export const bodyIdReplayId = (id: string): string => `body-id:${id}`;
