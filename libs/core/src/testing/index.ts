import type { AnyWebhookScheme, SignInput } from '../schemes/webhook-scheme.interface.js';

export interface SignedDelivery {
  readonly headers: Record<string, string>;
  /** Send exactly these bytes: re-serialising JSON after signing breaks the signature. */
  readonly body: Buffer;
}

/**
 * Signs a delivery as the scheme's sender would, for your own e2e tests:
 *
 *     const { headers, body } = sign(standardWebhooks(), { secret, body: JSON.stringify(event) });
 *     await request(app.getHttpServer()).post('/webhooks/standard').set(headers).send(body);
 */
export function sign(scheme: AnyWebhookScheme, input: SignInput): SignedDelivery {
  const body = Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8');
  return { headers: scheme.sign({ ...input, body }), body };
}

/** A random secret in the scheme's usual format: `whsec_` + base64 for Standard Webhooks, else hex. */
export { generateSecret } from '../secrets/generate-secret.js';
export type { SignInput };
