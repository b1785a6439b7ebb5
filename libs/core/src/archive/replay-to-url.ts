import { paced } from '../durable/pace.js';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import type { ArchivedDelivery, ArchiveFilter, ArchiveSink } from './archive-sink.interface.js';
import { holdLastSlot, selectForReplay } from './archive-replay.js';

export interface ReplayToUrlOptions extends ArchiveFilter {
  readonly all?: boolean;
  /** Where to post each delivery, e.g. a local app's `http://localhost:3000/webhooks/stripe`. */
  readonly url: string;
  /** A development secret: each archived body is signed anew with it. Never the production secret. */
  readonly secret: string;
  /** The scheme to sign with (default: the archived delivery's, by its preset name). */
  readonly schemeOf: (entry: ArchivedDelivery) => AnyWebhookScheme;
  readonly dryRun?: boolean;
  readonly ratePerSecond?: number | undefined;
}

export interface PostedReplay {
  readonly deliveryId: string;
  /** Undefined in a dry run. */
  readonly status: number | undefined;
  readonly body: string | undefined;
}

/** Headers that describe the original connection, not the delivery: never sent again. */
const HOP_HEADERS = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'expect',
  'upgrade',
]);

/**
 * Archived headers whose name says credential or signature: never sent on, whether or not the dev
 * `sign()` replaces them (GitHub's SHA-1 `x-hub-signature` beside the -256 one, Box's secondary).
 */
const CREDENTIAL_NAME = /signature|hmac|token|secret|auth|digest|verification|key/i;

/**
 * Posts archived deliveries to a URL (a local app, for debugging), each body signed anew by its
 * scheme's `sign()` (and `signBody()`, for signatures inside the body) with the development `secret`
 * and the current time: the archived signature is for the production secret, which this never needs.
 * The archived headers go along (the event type, the content type), except any that looks like a
 * credential or signature; then the dev signature headers.
 */
export async function replayToUrl(
  archive: ArchiveSink,
  options: ReplayToUrlOptions,
): Promise<PostedReplay[]> {
  const selected = await selectForReplay(archive, options);
  if (options.dryRun)
    return selected.map((entry) => ({ deliveryId: entry.deliveryId, status: undefined, body: undefined }));
  const posted: PostedReplay[] = [];
  const start = performance.now();
  await paced(selected, options.ratePerSecond, async (entry) => {
    const { delivery } = entry;
    const scheme = options.schemeOf(entry);
    const input = {
      secret: options.secret,
      body: Buffer.from(delivery.body, 'base64'),
      timestamp: new Date(),
      url: options.url,
      ...(delivery.id === undefined ? {} : { id: delivery.id }),
      ...(delivery.type === undefined ? {} : { type: delivery.type }),
    };
    const signed = scheme.sign(input);
    // Signatures inside the body (Adyen's per-item hmacSignature) are made anew too.
    const body = scheme.signBody ? scheme.signBody(input) : input.body;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(delivery.headers)) {
      if (!HOP_HEADERS.has(name) && !CREDENTIAL_NAME.test(name)) headers[name] = value;
    }
    for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
    const response = await fetch(options.url, { method: 'POST', headers, body });
    posted.push({ deliveryId: entry.deliveryId, status: response.status, body: await response.text() });
  });
  await holdLastSlot(start, selected.length, options.ratePerSecond);
  return posted;
}
