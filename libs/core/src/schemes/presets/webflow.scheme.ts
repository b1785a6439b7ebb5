import { hmac } from '../hmac.scheme.js';
import { eventTypeAt } from '../kit/payload-field.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface WebflowOptions {
  /** Scheme name for logs and the default endpoint. Default `webflow`. */
  name?: string;
  /** Freshness window in ms for `x-webflow-timestamp`, both directions. Default 5 minutes, as Webflow's docs. */
  toleranceMs?: number;
}

/**
 * Webflow: `x-webflow-signature` = hex HMAC-SHA256(the OAuth app's client secret, or the webhook's
 * secret, as UTF-8, `${x-webflow-timestamp}:${rawBody}`); the timestamp is Unix ms. Webflow's SDK
 * (`webhooks.verifySignature`) re-serialises the parsed body; we sign and check the raw bytes.
 * The event type is the body's `triggerType` (`form_submission`, `site_publish`, ...).
 * Replay identity: a digest of the body (no delivery id is sent).
 */
export function webflow(options: WebflowOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'webflow',
      signatureHeader: 'x-webflow-signature',
      timestampHeader: 'x-webflow-timestamp',
      timestampUnit: 'ms',
      signedContent: '{timestamp}:{body}',
      toleranceMs: options.toleranceMs ?? 5 * 60_000,
    }),
    payloadFormat: 'json',
    eventType: eventTypeAt('triggerType'),
  };
}
