import { WebhookVerificationError } from '../errors/webhook-verification.error.js';

/**
 * The public URL a sender signed (Twilio, Square): the configured base URL (path included) followed
 * by the request's path and query. Only the path comes from the request: an absolute-form request
 * target (`POST https://other-host:1/hook`) would otherwise choose the host and port that are signed
 * and keyed, and a replay on port after port would look new each time.
 */
export function publicUrl(baseUrl: string, requestTarget: string | undefined): string {
  const target = requestTarget ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) {
    throw new WebhookVerificationError('malformed_header', 'The request target is not a path.');
  }
  return baseUrl.replace(/\/+$/, '') + target;
}
