import { hmac } from '../hmac.scheme.js';
import type { SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { randomId } from '../kit/sign-input.js';

export interface SentryOptions {
  /** Scheme name for logs and the default endpoint. Default `sentry`. */
  name?: string;
}

/**
 * Sentry integration platform: `Sentry-Hook-Signature: <hex HMAC-SHA256 of the JSON body>` keyed
 * with the integration's client secret (docs/providers.md#sentry). Sentry's own snippet hashes
 * `JSON.stringify(request.body)`, which is the body Sentry sent; we hash the received bytes, never a
 * re-serialisation. `Request-ID` (id), `Sentry-Hook-Resource` (type) and `Sentry-Hook-Timestamp`
 * are not signed: the timestamp proves nothing and is not used, and the replay key is a digest of
 * the body.
 */
export function sentry(options: SentryOptions = {}): WebhookScheme<Buffer> {
  const base = hmac({
    name: options.name ?? 'sentry',
    signatureHeader: 'sentry-hook-signature',
    idHeader: 'request-id',
    typeHeader: 'sentry-hook-resource',
  });
  return {
    ...base,
    payloadFormat: 'json',
    sign: (input: SignInput) =>
      base.sign({ ...input, id: input.id ?? randomId(), type: input.type ?? 'issue' }),
  };
}
