import { readHeader } from '../../internal/headers.js';
import { hmac } from '../hmac.scheme.js';
import type { HandshakeReply, HandshakeRequest, WebhookScheme } from '../webhook-scheme.interface.js';
import { isMethod } from '../kit/handshake-reply.js';
import { mediaTypeOf } from '../kit/request-headers.js';

export interface WooCommerceOptions {
  /** Scheme name for logs and the default endpoint. Default `woocommerce`. */
  name?: string;
}

const SIGNATURE = 'x-wc-webhook-signature';
const PING = /^webhook_id=\d{1,20}$/;

/**
 * WooCommerce: `X-WC-Webhook-Signature` = base64 HMAC-SHA256(webhook secret, rawBody). The secret is
 * used as WooCommerce uses it (HTML entities such as `&amp;` decoded). No timestamp; the delivery id
 * (`X-WC-Webhook-Delivery-ID`) and topic are unsigned and only reported.
 *
 * Handshake: on creation WooCommerce POSTs an UNSIGNED form body `webhook_id=<n>` and needs 200.
 * Only that exact shape (POST, no signature header, form or no content type, body `webhook_id=<digits>`)
 * is answered 200 without verification; the handler never runs for it.
 */
export function woocommerce(options: WooCommerceOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'woocommerce',
      signatureHeader: SIGNATURE,
      encoding: 'base64',
      idHeader: 'x-wc-webhook-delivery-id',
      typeHeader: 'x-wc-webhook-topic',
    }),
    unsignedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      if (!isMethod(request, 'POST') || readHeader(request.headers, SIGNATURE) !== undefined)
        return undefined;
      const type = mediaTypeOf(request.headers);
      if (type !== undefined && type !== 'application/x-www-form-urlencoded') return undefined;
      if (request.rawBody.length > 40 || !PING.test(request.rawBody.toString('latin1'))) return undefined;
      return { status: 200 };
    },
  };
}
