import type { StoredDelivery } from '../durable/stored-delivery.js';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import type { ArchivedDelivery } from './archive-sink.interface.js';
import { archiveIdOf } from './archive-sink.interface.js';
import { storableHeader } from './secret-headers.js';

/**
 * Changes a body before it is archived (drop card numbers, e-mail addresses...). A redacted body no
 * longer matches its signature: a replay of it trusts the archive, and the entry says `redacted`.
 * Return the body unchanged to keep it.
 */
export type ArchiveRedaction = (body: Buffer, delivery: StoredDelivery) => Buffer | string;

export interface ArchiveEntryOptions {
  /** The route's scheme: the headers in which it sends a secret itself (a shared token) are never archived. */
  readonly scheme?: AnyWebhookScheme | undefined;
  readonly redact?: ArchiveRedaction | undefined;
}

/** Headers that carry credentials of the request (also left out of the queue). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'x-api-key'];

/**
 * The archive entry of an accepted delivery: secrets never in it. A scheme that repeats its secret in a
 * header (GitLab's `X-Gitlab-Token`, Okta's `Authorization`) has that header dropped; which header that
 * is is learnt from the scheme's own `sign()` with a random stand-in secret, so a custom shared-token
 * scheme is covered too.
 */
export function archiveEntry(
  delivery: StoredDelivery,
  handlers: readonly string[],
  options: ArchiveEntryOptions = {},
): ArchivedDelivery {
  const storable = storableHeader(options.scheme);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) {
    const lower = name.toLowerCase();
    if (!CREDENTIAL_HEADERS.includes(lower) && storable(lower)) headers[name] = value;
  }
  let body = delivery.body;
  let redacted = delivery.redacted === true;
  if (options.redact) {
    const original = Buffer.from(delivery.body, 'base64');
    const changed = options.redact(original, delivery);
    const bytes = typeof changed === 'string' ? Buffer.from(changed, 'utf8') : changed;
    redacted ||= !bytes.equals(original);
    body = bytes.toString('base64');
  }
  return {
    deliveryId: archiveIdOf(delivery),
    delivery: { ...delivery, headers, body },
    handlers: [...handlers],
    redacted,
    outcomes: {},
  };
}
