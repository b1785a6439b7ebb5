import { hmac } from '../hmac.scheme.js';
import { bodyIdentity } from '../kit/body-event.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface CircleCiOptions {
  /** Scheme name for logs and the default endpoint. Default `circleci`. */
  name?: string;
}

/**
 * CircleCI outbound webhooks: `circleci-signature: v1=<hex HMAC-SHA256(the webhook's secret token
 * as UTF-8, rawBody)>`, a comma-separated list in which entries of other versions are skipped. No
 * timestamp. The signed body's `id` (the same on every redelivery) is the event id and keys
 * replays; its `type` (`workflow-completed`, `job-completed`) names the event. The
 * `circleci-event-type` header is not signed and not read.
 */
export function circleci(options: CircleCiOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'circleci',
      signatureHeader: 'circleci-signature',
      prefix: 'v1=',
      separator: ',',
    }),
    payloadFormat: 'json',
    ...bodyIdentity(['id']),
  };
}
