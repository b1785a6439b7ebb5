import { createHmac } from 'node:crypto';

/** The one secret every variant uses (generated for the bench, never a real one). */
export const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
export const SECRET_KEY = Buffer.from(SECRET.slice('whsec_'.length), 'base64');

/** Every variant raises the JSON parser (and the webhook body limit) to fit the 1 MiB bodies. */
export const BODY_LIMIT = 2 * 1024 * 1024;

export const SIZES = [
  { label: '1 KB', bytes: 1024 },
  { label: '64 KB', bytes: 64 * 1024 },
  { label: '1 MB', bytes: 1024 * 1024 },
] as const;

export const VARIANTS = ['a', 'b', 'c', 'd', 'e'] as const;
/**
 * Reference rows at 1 KB: route (a) with a guard that returns true, then also an interceptor that
 * returns `next.handle()`. What Nest charges any guard + interceptor before it does any work: the
 * ceiling of every library built the DESIGN §2 way.
 */
export const FLOOR_VARIANTS = ['f', 'g'] as const;
export type Variant = (typeof VARIANTS)[number] | (typeof FLOOR_VARIANTS)[number];

export const VARIANT_NAMES: Record<Variant, string> = {
  a: 'bare Nest, rawBody + JSON only',
  b: 'standardwebhooks + SET NX PX',
  c: 'node:crypto HMAC + SET NX PX',
  d: '@VerifiedWebhook + Memory',
  e: '@VerifiedWebhook + Redis',
  f: 'floor: (a) + a no-op guard',
  g: 'floor: (a) + no-op guard + no-op interceptor',
};

/** A JSON event of exactly `bytes` bytes. */
export function jsonBody(bytes: number): Buffer {
  const head = '{"type":"invoice.paid","data":{"pad":"';
  const tail = '"}}';
  return Buffer.from(head + 'x'.repeat(bytes - head.length - tail.length) + tail, 'utf8');
}

/** Standard Webhooks `v1` signature over `${id}.${timestamp}.${body}`, as a sender computes it. */
export function standardHeaders(id: string, timestampSeconds: number, body: Buffer): Record<string, string> {
  const signature = createHmac('sha256', SECRET_KEY)
    .update(`${id}.${timestampSeconds}.`)
    .update(body)
    .digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
