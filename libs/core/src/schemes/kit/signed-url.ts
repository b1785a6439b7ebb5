import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { ParseContext } from '../webhook-scheme.interface.js';

/**
 * The public URL a provider signed. A configured URL wins (it is exactly what was registered with the
 * provider); else the URL the adapter derived from `publicBaseUrl` / trusted proxy headers. The Host
 * header is never read here: trusting it would let a client choose the signed URL.
 */
export function requireSignedUrl(scheme: string, context: ParseContext, configured?: string): string {
  const url = configured ?? context.url;
  if (url === undefined || url === '') {
    throw new WebhookVerificationError(
      'missing_public_url',
      `The ${scheme} scheme signs the request URL, but no public URL is known: configure publicBaseUrl (or the scheme's URL option).`,
    );
  }
  if (url.length > context.limits.maxHeaderLength) {
    throw new WebhookVerificationError(
      'malformed_header',
      'The request URL is longer than the header limit.',
    );
  }
  return url;
}
