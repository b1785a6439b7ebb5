import { randomBytes } from 'node:crypto';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';

/** What is known of a scheme's headers: those repeating its secret, or nothing (keep the safe ones only). */
type Learnt = { readonly secret: ReadonlySet<string> } | 'unknown';

const learnt = new WeakMap<AnyWebhookScheme, Learnt>();

/** Headers that never carry a secret: all that is kept when a scheme's headers cannot be learnt. */
const SAFE_HEADERS: ReadonlySet<string> = new Set(['content-type', 'content-encoding', 'user-agent']);

/**
 * Whether a header (lower-case name) may be stored for `scheme`: not one in which it sends the secret
 * itself, found by signing with a random stand-in. A scheme whose `sign()` refuses the probe although
 * it accepts the stand-in as a secret (Graph wants the secret inside the body) cannot be probed: only
 * `content-type`, `content-encoding` and `user-agent` are kept then (fail closed).
 */
export function storableHeader(scheme: AnyWebhookScheme | undefined): (name: string) => boolean {
  if (!scheme) return () => true;
  let known = learnt.get(scheme);
  if (!known) {
    known = probe(scheme);
    learnt.set(scheme, known);
  }
  if (known === 'unknown') return (name) => SAFE_HEADERS.has(name);
  const secret = known.secret;
  return (name) => !secret.has(name);
}

function probe(scheme: AnyWebhookScheme): Learnt {
  const canary = `vw-canary-${randomBytes(12).toString('hex')}`;
  try {
    // A URL too, for schemes that sign it (Twilio, Square, HubSpot, Trello).
    const signed = scheme.sign({
      secret: canary,
      body: '{}',
      id: 'canary',
      timestamp: new Date(),
      url: 'https://webhooks.example/probe',
    });
    return {
      secret: new Set(
        Object.entries(signed)
          .filter(([, value]) => value.includes(canary))
          .map(([name]) => name.toLowerCase()),
      ),
    };
  } catch {
    // A scheme that refuses a random secret (a key format, a private key) signs; it does not repeat it.
    if (!accepts(scheme, canary)) return { secret: new Set() };
    return 'unknown';
  }
}

function accepts(scheme: AnyWebhookScheme, secret: string): boolean {
  try {
    scheme.importKey(secret);
    return true;
  } catch {
    return false;
  }
}
