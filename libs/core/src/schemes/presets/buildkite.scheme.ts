import { timestampedHmac } from '../families/timestamped-hmac.scheme.js';
import type { TimestampedHmacParsed } from '../families/timestamped-hmac.scheme.js';
import { eventTypeAt } from '../kit/payload-field.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface BuildkiteOptions {
  /** Scheme name for logs and the default endpoint. Default `buildkite`. */
  name?: string;
  /** Freshness window in ms for the signed timestamp, both directions. Default 5 minutes. */
  toleranceMs?: number;
}

/**
 * Buildkite (Pipelines and Package Registries webhooks, signature mode):
 * `X-Buildkite-Signature: timestamp=<unix s>,signature=<hex HMAC-SHA256(the webhook token as
 * UTF-8, `${timestamp}.${rawBody}`)>`. The token mode (`X-Buildkite-Token`, the token itself in a
 * header) is not this preset. Replays are keyed on a digest of the body; the event type is the
 * body's `event` (`build.finished`, ...), also sent unsigned as `X-Buildkite-Event`.
 */
export function buildkite(options: BuildkiteOptions = {}): WebhookScheme<Buffer, TimestampedHmacParsed> {
  return {
    ...timestampedHmac({
      name: options.name ?? 'buildkite',
      header: 'x-buildkite-signature',
      entrySeparator: ',',
      timestampKey: 'timestamp',
      signatureKey: 'signature',
      contentSeparator: '.',
      toleranceMs: options.toleranceMs ?? 5 * 60_000,
    }),
    payloadFormat: 'json',
    eventType: eventTypeAt('event'),
  };
}
