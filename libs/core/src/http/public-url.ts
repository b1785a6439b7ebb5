import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../internal/headers.js';
import type { HttpOptions } from '../verify/webhook-options.js';

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

/**
 * The URL the sender posted to: `publicBaseUrl` + the path; else, with `trustProxyHeaders`, from the
 * entries the proxy in front added (the last of each header: earlier ones come from the client);
 * the Host header only with `trustHostHeader`. Undefined when nothing says it.
 */
export function derivedPublicUrl(
  headers: WebhookHeaders,
  requestTarget: string | undefined,
  options: HttpOptions,
): string | undefined {
  if (options.publicBaseUrl) return publicUrl(options.publicBaseUrl, requestTarget);
  if (!options.trustProxyHeaders) return undefined;
  const path = publicUrl('', requestTarget);
  const host =
    lastEntry(headers['x-forwarded-host']) ?? (options.trustHostHeader ? lastEntry(headers.host) : undefined);
  if (host === undefined) return undefined;
  const proto = lastEntry(headers['x-forwarded-proto'])?.toLowerCase() ?? 'https';
  if (proto !== 'https' && proto !== 'http') {
    throw new WebhookVerificationError('malformed_header', 'X-Forwarded-Proto is neither http nor https.');
  }
  const normalizedHost = host.toLowerCase();
  if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(normalizedHost)) {
    throw new WebhookVerificationError('malformed_header', 'The forwarded host is not a host name.');
  }
  if (options.allowedHosts && !options.allowedHosts.includes(normalizedHost)) {
    throw new WebhookVerificationError('malformed_header', 'The forwarded host is not an allowed host.');
  }
  return `${proto}://${normalizedHost}${path}`;
}

/** The last comma-separated entry of a header (every repeat included), trimmed; undefined when empty. */
function lastEntry(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const joined = typeof value === 'string' ? value : value.join(',');
  const entry = joined.slice(joined.lastIndexOf(',') + 1).trim();
  return entry === '' ? undefined : entry;
}
