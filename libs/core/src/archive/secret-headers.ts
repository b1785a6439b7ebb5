import { randomBytes } from 'node:crypto';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';

const learnt = new WeakMap<AnyWebhookScheme, readonly string[]>();

/** The headers in which `scheme` sends the secret itself, found by signing with a random stand-in. */
export function secretHeadersOf(scheme: AnyWebhookScheme | undefined): readonly string[] {
  if (!scheme) return [];
  let headers = learnt.get(scheme);
  if (!headers) {
    const canary = `vw-canary-${randomBytes(12).toString('hex')}`;
    try {
      const signed = scheme.sign({ secret: canary, body: '{}', id: 'canary', timestamp: new Date() });
      headers = Object.entries(signed)
        .filter(([, value]) => value.includes(canary))
        .map(([name]) => name.toLowerCase());
    } catch {
      // A scheme that refuses a random secret (a key format, a private key) signs; it does not repeat it.
      headers = [];
    }
    learnt.set(scheme, headers);
  }
  return headers;
}
