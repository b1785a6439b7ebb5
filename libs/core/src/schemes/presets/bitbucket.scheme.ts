import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader } from '../../internal/headers.js';
import { hmac } from '../hmac.scheme.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { randomId } from '../kit/sign-input.js';

export interface BitbucketOptions {
  /** Scheme name for logs and the default endpoint. Default `bitbucket`. */
  name?: string;
}

const CLOUD_ID = 'x-request-uuid';
const DATA_CENTER_ID = 'x-request-id';

/**
 * Bitbucket Cloud and Data Center: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`
 * keyed with the webhook's secret (docs/providers.md#bitbucket). SHA-256 under the header name
 * GitHub uses for SHA-1. `X-Event-Key` (type) and `X-Request-UUID` (Cloud) / `X-Request-Id` (Data
 * Center) are unsigned: the replay key is a digest of the signed body. No timestamp.
 */
export function bitbucket(options: BitbucketOptions = {}): WebhookScheme<Buffer> {
  const base = hmac({
    name: options.name ?? 'bitbucket',
    signatureHeader: 'x-hub-signature',
    prefix: 'sha256=',
    idHeader: CLOUD_ID,
    typeHeader: 'x-event-key',
  });
  return {
    ...base,
    payloadFormat: 'json',
    parse(headers: WebhookHeaders, context: ParseContext): ParsedWebhook {
      const parsed = base.parse(headers, context);
      const id =
        parsed.id || readHeader(headers, DATA_CENTER_ID, context.limits.maxHeaderLength) || undefined;
      return { ...parsed, id };
    },
    sign(input: SignInput): Record<string, string> {
      return base.sign({ ...input, id: input.id ?? randomId(), type: input.type ?? 'repo:push' });
    },
  };
}
