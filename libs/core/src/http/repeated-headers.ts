import type { IncomingMessage } from 'node:http';
import type { WebhookHeaders } from '../internal/headers.js';

/**
 * The headers with every repeated one kept as an array. Node joins a repeated header into one
 * string (`a, b`), which would hide a second signature or id from the schemes' "sent more than once
 * → 400" rule. Cheap in the common case: as many names as raw header lines means nothing repeated.
 */
export function headersWithRepeats(message: IncomingMessage): WebhookHeaders {
  const headers = message.headers;
  let names = 0;
  // Counted with for…in rather than Object.keys(): no array per request.
  for (const name in headers) if (name) names++;
  if (message.rawHeaders.length === 2 * names) return headers;
  let kept: Record<string, string | string[] | undefined> | undefined;
  for (const [name, values] of Object.entries(message.headersDistinct)) {
    if (values !== undefined && values.length > 1 && name !== 'set-cookie') {
      kept ??= { ...headers };
      kept[name] = values;
    }
  }
  return kept ?? headers;
}
