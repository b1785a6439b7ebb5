import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';

/**
 * The query's string parameters for a scheme that answers handshakes (Dropbox `?challenge=`), else
 * undefined: nothing else reads the query, and Express 5 re-parses it on every access.
 */
export function handshakeQuery(
  scheme: AnyWebhookScheme,
  readQuery: (() => unknown) | undefined,
): Record<string, string | undefined> | undefined {
  if (scheme.unsignedHandshake === undefined && scheme.signedHandshake === undefined) return undefined;
  const query = readQuery?.();
  const values: Record<string, string | undefined> = {};
  if (typeof query !== 'object' || query === null) return values;
  for (const [key, value] of Object.entries(query))
    values[key] = typeof value === 'string' ? value : undefined;
  return values;
}
