import { jsonObject, MAX_BODY_ID_LENGTH } from './json-fields.js';

/**
 * A non-empty string at `path` in a parsed JSON payload (`['meta', 'event_name']`), bounded in
 * length, else undefined. For `eventType` hooks: the payload is the verified one.
 */
export function payloadString(
  payload: unknown,
  path: readonly string[],
  maxLength = MAX_BODY_ID_LENGTH,
): string | undefined {
  let value: unknown = payload;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return typeof value === 'string' && value !== '' && value.length <= maxLength ? value : undefined;
}

/** An `eventType` hook reading the string at `path`. */
export const eventTypeAt =
  (...path: string[]) =>
  (payload: unknown): string | undefined =>
    payloadString(payload, path);

/** `payloadString` of a raw JSON body (call only on verified or bounded bytes). */
export const bodyString = (rawBody: Buffer, path: readonly string[]): string | undefined =>
  payloadString(jsonObject(rawBody), path);
