/** Parsed bodies by their Buffer: a delivery's body is parsed at most once. */
const parsedBodies = new WeakMap<Buffer, { readonly ok: boolean; readonly value: unknown }>();

/**
 * `JSON.parse` of the raw body, once per delivery: the scheme (replay id, event id, handshake) and
 * the handler's payload share one parse. `ok` is false for malformed JSON.
 */
export function parseJsonBody(rawBody: Buffer): { readonly ok: boolean; readonly value: unknown } {
  let parsed = parsedBodies.get(rawBody);
  if (parsed === undefined) {
    try {
      const text = rawBody.toString('utf8');
      parsed = {
        ok: true,
        value: JSON.parse(text, POISON.test(text) ? withoutPoison : undefined) as unknown,
      };
    } catch {
      parsed = { ok: false, value: undefined };
    }
    parsedBodies.set(rawBody, parsed);
  }
  return parsed;
}

/** Only bodies that name them pay for the reviver. */
const POISON = /__proto__|constructor/;

/**
 * Drops `__proto__` keys and a `constructor` that carries a `prototype` (what secure-json-parse's
 * `remove` does): JSON.parse makes them own properties, harmless until a handler merges the payload
 * into another object. The verified bytes (`rawBody`) keep them.
 */
function withoutPoison(key: string, value: unknown): unknown {
  if (key === '__proto__') return undefined;
  if (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value) {
    return undefined;
  }
  return value;
}
