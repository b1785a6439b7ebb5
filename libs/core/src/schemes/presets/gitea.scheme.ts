import { hmac } from '../hmac.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface GiteaOptions {
  /** Scheme name for logs and the default endpoint. Default `gitea`. */
  name?: string;
}

/**
 * Gitea (and Forgejo, which keeps the `X-Gitea-*` headers): `X-Gitea-Signature` = hex
 * HMAC-SHA256(the webhook secret as UTF-8, rawBody), no prefix. `X-Gitea-Delivery` (id) and
 * `X-Gitea-Event` (type) are not signed: exposed, but replays are keyed on a digest of the body.
 * No timestamp. Gitea's `X-Hub-Signature-256` copy can be checked with the `github` preset instead.
 */
export function gitea(options: GiteaOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'gitea',
      signatureHeader: 'x-gitea-signature',
      idHeader: 'x-gitea-delivery',
      typeHeader: 'x-gitea-event',
    }),
    payloadFormat: 'json',
  };
}
