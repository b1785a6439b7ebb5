import { hmac } from '../hmac.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { eventTypeAt } from '../kit/payload-field.js';

export interface JiraOptions {
  /** Scheme name for logs and the default endpoint. Default `jira`. */
  name?: string;
}

/**
 * Jira (Atlassian) admin webhooks registered with a secret: `X-Hub-Signature: sha256=<hex
 * HMAC-SHA256 of the raw body>` (WebSub style; docs/providers.md#jira). Webhooks registered by
 * Connect or OAuth apps carry a JWT instead and are not covered. `X-Atlassian-Webhook-Identifier` is
 * the delivery id (unsigned: the replay key is a digest of the body); the signed body's
 * `webhookEvent` (`jira:issue_created`) is the type. No timestamp is signed.
 */
export function jira(options: JiraOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'jira',
      signatureHeader: 'x-hub-signature',
      prefix: 'sha256=',
      idHeader: 'x-atlassian-webhook-identifier',
    }),
    payloadFormat: 'json',
    eventType: eventTypeAt('webhookEvent'),
  };
}
