import { createHmac } from 'node:crypto';

/** The one secret every variant uses (generated for the bench, never a real one). */
export const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
export const SECRET_KEY = Buffer.from(SECRET.slice('whsec_'.length), 'base64');

/** Every variant raises its JSON parser (and the webhook body limit) to this, so the 1 MiB bodies fit. */
export const BODY_LIMIT = 2 * 1024 * 1024;

export const VARIANT_NAMES = {
  a: 'bare Nest on Express, rawBody + JSON only',
  b: 'standardwebhooks + SET NX PX by hand',
  c: 'node:crypto HMAC + SET NX PX by hand',
  d: '@VerifiedWebhook + Memory',
  e: '@VerifiedWebhook + Redis',
  g: 'floor: (a) + no-op guard + no-op interceptor',
  h: 'bare Nest on Fastify, rawBody + JSON only',
  i: '@VerifiedWebhook on Fastify + Memory',
  j: '@VerifiedWebhook on Fastify + Redis',
  k: 'sample app (Express, metrics on, Redis)',
  q: 'durable route, ack only: verify + claim + BullMQ enqueue, 202 (workers elsewhere)',
  r: '(q) with its worker in the same process (no-op handler)',
  d0: '(d) built at 5788b7a',
  e0: '(e) built at 5788b7a',
} as const;
export type Variant = keyof typeof VARIANT_NAMES;

/** (d0), (e0): the bench server of the library as it was before the async reshape (`--before <dir>`). */
export const BEFORE_VARIANTS: readonly Variant[] = ['d0', 'e0'];

/** The bodies, and the variants each one runs (what the targets need, plus the Fastify rows). */
export const SIZES = [
  {
    label: '1 KB',
    bytes: 1024,
    variants: ['a', 'b', 'c', 'd', 'e', 'g', 'h', 'i', 'j', 'k', 'q', 'r', 'd0', 'e0'],
  },
  { label: '64 KB', bytes: 64 * 1024, variants: ['a', 'b', 'c', 'd', 'e', 'h', 'i', 'j', 'd0', 'e0'] },
  { label: '1 MB', bytes: 1024 * 1024, variants: ['a', 'c', 'e', 'j'] },
] as const satisfies readonly { label: string; bytes: number; variants: readonly Variant[] }[];
export type Size = (typeof SIZES)[number];

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
