import { createHmac, randomUUID } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';

/** Signed deliveries as the e2e and reliability suites send them. */

export interface SignedDelivery {
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A `whsec_` secret of 32 bytes of `fill`. */
export const secretOf = (fill: number) => 'whsec_' + Buffer.alloc(32, fill).toString('base64');

/** A delivery signed by the official standardwebhooks library. */
export function standardDelivery(
  secret: string,
  options: { id?: string; at?: Date; body?: string } = {},
): SignedDelivery {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  const body = options.body ?? JSON.stringify({ type: 'invoice.paid', data: { id } });
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new StandardWebhook(secret).sign(id, at, body),
    },
  };
}

/** The generic HMAC sender: hex HMAC-SHA256 of the body (node:crypto); the id header is not signed. */
export function hmacDelivery(secret: string, body = JSON.stringify({ order: randomUUID() })): SignedDelivery {
  const id = `d-${randomUUID()}`;
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'x-hmac': createHmac('sha256', secret).update(body).digest('hex'),
      'x-webhook-id': id,
      'x-topic': 'orders/create',
    },
  };
}
