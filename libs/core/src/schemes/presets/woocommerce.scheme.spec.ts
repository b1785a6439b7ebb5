import { createHmac } from 'node:crypto';
import { eventOf, reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { WebhookVerifier } from '../../verify/webhook-verifier.js';
import { woocommerce } from './woocommerce.scheme.js';

const SECRET = 'wc-webhook-secret-0123456789abcdef';
const BODY = '{"id":1234,"status":"processing"}';
// Independent computation of the documented formula: base64 HMAC-SHA256(secret, body).
const reference = (body = BODY, secret = SECRET) =>
  createHmac('sha256', secret).update(body).digest('base64');
const request = (signature = reference(), body = BODY, deliveryId = 'd-1') => ({
  headers: {
    'x-wc-webhook-signature': signature,
    'x-wc-webhook-topic': 'order.updated',
    'x-wc-webhook-delivery-id': deliveryId,
  },
  rawBody: body,
});
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('woocommerce() (no official Node signer or verifier: checked against node:crypto)', () => {
  it('accepts base64 HMAC-SHA256(secret, body) computed with node:crypto', async () => {
    const outcome = await verifyWith(woocommerce(), request(), { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({ id: 'd-1', type: 'order.updated', scheme: 'woocommerce' });
  });

  it('refuses a tampered body and the wrong secret', async () => {
    expect(
      await reasonOf(
        verifyWith(woocommerce(), request(reference(), '{"id":1234,"status":"refunded"}'), {
          secrets: SECRET,
        }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(woocommerce(), request(), { secrets: 'another-wc-secret-000' }))).toBe(
      'signature_mismatch',
    );
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(
      await reasonOf(verifyWith(woocommerce(), request(), { secrets: ['new-wc-secret-0000000', SECRET] })),
    ).toBe('accepted');
  });

  it('answers only the exact unsigned creation ping (form POST webhook_id=<n>) with 200', async () => {
    const verifier = new WebhookVerifier({ scheme: woocommerce(), secrets: SECRET, replayStore: false });
    const ping = (overrides: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
      verifier.receive({
        method: overrides.method ?? 'POST',
        headers: overrides.headers ?? FORM,
        rawBody: Buffer.from(overrides.body ?? 'webhook_id=17'),
      });
    expect(await ping()).toEqual({ kind: 'handshake', reply: { status: 200 } });
    expect(await reasonOf(ping({ body: 'webhook_id=17&x=1' }))).toBe('missing_signature');
    expect(await reasonOf(ping({ body: 'webhook_id=abc' }))).toBe('missing_signature');
    expect(await reasonOf(ping({ headers: { 'content-type': 'application/json' } }))).toBe(
      'missing_signature',
    );
    expect(await reasonOf(ping({ method: 'GET' }))).toBe('missing_signature');
    // A signature header means it is a delivery, verified as such.
    expect(await reasonOf(ping({ headers: { ...FORM, 'x-wc-webhook-signature': reference('x') } }))).toBe(
      'signature_mismatch',
    );
  });

  it('refuses a replay under a fresh (unsigned) delivery id', async () => {
    expect(
      await secondDeliveryKind(woocommerce(), request(), request(reference(), BODY, 'd-2'), {
        secrets: SECRET,
      }),
    ).toBe('duplicate');
  });
});
