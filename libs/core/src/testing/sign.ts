import type { AnyWebhookScheme, SignInput } from '../schemes/webhook-scheme.interface.js';

export interface SignedDelivery<Body extends string | Buffer = string | Buffer> {
  readonly headers: Record<string, string>;
  /**
   * Send exactly these bytes. The same type you passed in: a string stays a string, because
   * supertest and fetch JSON-encode a Buffer sent with a JSON content type, which breaks the signature.
   */
  readonly body: Body;
}

/**
 * Signs a delivery as the scheme's sender would, for your own e2e tests:
 *
 *     const { headers, body } = sign(standardWebhooks(), { secret, body: JSON.stringify(event) });
 *     await request(app.getHttpServer()).post('/webhooks/standard').set(headers).send(body);
 */
export function sign<Body extends string | Buffer>(
  scheme: AnyWebhookScheme,
  input: SignInput & { readonly body: Body },
): SignedDelivery<Body> {
  return { headers: scheme.sign(input), body: input.body };
}
