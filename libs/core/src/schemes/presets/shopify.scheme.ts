import { randomUUID } from 'node:crypto';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readFirstHeader, readHeader } from '../../internal/headers.js';
import { hmac } from '../hmac.scheme.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';

export interface ShopifyOptions {
  name?: string;
}

/**
 * The two header families the Shopify SDK reads: `X-Shopify-*` for webhooks, and the unprefixed
 * `shopify-*` for "events" deliveries (chosen, as by the SDK, by the presence of `shopify-hmac-sha256`).
 */
const FAMILIES = {
  webhooks: {
    signature: 'x-shopify-hmac-sha256',
    topic: 'x-shopify-topic',
    ids: ['x-shopify-event-id', 'x-shopify-webhook-id'],
  },
  events: {
    signature: 'shopify-hmac-sha256',
    topic: 'shopify-topic',
    ids: ['shopify-event-id', 'shopify-webhook-id'],
  },
} as const;

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>` keyed with the app's client
 * secret. Topic, webhook id and event id are not signed: the id is exposed (event id first, stable
 * across retries) but the replay key is a digest of the signed body. No timestamp is signed.
 */
export function shopify(options: ShopifyOptions = {}): WebhookScheme<Buffer> {
  const name = options.name ?? 'shopify';
  const family = (kind: keyof typeof FAMILIES) =>
    hmac({
      name,
      signatureHeader: FAMILIES[kind].signature,
      encoding: 'base64',
      typeHeader: FAMILIES[kind].topic,
    });
  const webhooks = family('webhooks');
  const events = family('events');

  return {
    name,
    signs: webhooks.signs,
    defaultToleranceMs: undefined,

    parse(headers: WebhookHeaders, context: ParseContext): ParsedWebhook {
      const max = context.limits.maxHeaderLength;
      const kind = readHeader(headers, FAMILIES.events.signature, max) !== undefined ? 'events' : 'webhooks';
      const parsed = (kind === 'events' ? events : webhooks).parse(headers, context);
      return { ...parsed, id: readFirstHeader(headers, FAMILIES[kind].ids, max) || undefined };
    },

    importKey: (secret) => webhooks.importKey(secret),
    verify: (parsed, rawBody, key) => webhooks.verify(parsed, rawBody, key),

    sign(input: SignInput): Record<string, string> {
      const signature = webhooks.sign(input)[FAMILIES.webhooks.signature]!;
      const id = input.id ?? randomUUID();
      return {
        [FAMILIES.webhooks.signature]: signature,
        [FAMILIES.webhooks.topic]: input.type ?? 'orders/create',
        'x-shopify-webhook-id': id,
        'x-shopify-event-id': id,
        'content-type': 'application/json',
      };
    },
  };
}
