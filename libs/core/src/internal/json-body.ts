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
      parsed = { ok: true, value: JSON.parse(rawBody.toString('utf8')) as unknown };
    } catch {
      parsed = { ok: false, value: undefined };
    }
    parsedBodies.set(rawBody, parsed);
  }
  return parsed;
}
