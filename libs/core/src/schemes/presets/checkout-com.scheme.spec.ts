import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { checkoutCom } from './checkout-com.scheme.js';

// checkout-sdk-node ships no webhook verifier. SECONDARY: the sender is written independently from
// Checkout.com's documented formula (checkout.com/docs/workflows/set-up-your-webhook-receiver):
//   Cko-Signature = hex HMAC-SHA256(webhook signature key, raw body)
const SECRET = 'checkout-signature-key-0123456789';
const OLD_SECRET = 'checkout-previous-key-9876543210';
const body = (id = 'evt_az5sblvku4ge3dwpztvyizgcau', amount = 6540) =>
  JSON.stringify({
    id,
    type: 'payment_approved',
    created_on: '2026-11-30T10:00:00Z',
    data: { id: 'pay_1', amount },
  });
const BODY = body();
const ckoSender = (secret: string, raw: string) => ({
  'cko-signature': createHmac('sha256', secret).update(raw).digest('hex'),
  'content-type': 'application/json',
});
const verify = (headers: Record<string, string>, raw = BODY, secrets: string | string[] = SECRET) =>
  reasonOf(deliver(checkoutCom(), headers, raw, { secrets }));

describe('checkoutCom()', () => {
  it('accepts a delivery signed per the documented formula (signing the same value); id and type from the body', async () => {
    const headers = ckoSender(SECRET, BODY);
    expect(checkoutCom().sign({ secret: SECRET, body: BODY })['cko-signature']).toBe(
      headers['cko-signature'],
    );
    const event = eventOf(await deliver(checkoutCom(), headers, BODY, { secrets: SECRET }));
    expect(event).toMatchObject({ id: 'evt_az5sblvku4ge3dwpztvyizgcau', type: 'payment_approved' });
  });

  it('refuses a tampered body and the wrong key', async () => {
    expect(await verify(ckoSender(SECRET, BODY), body(undefined, 1))).toBe('signature_mismatch');
    expect(await verify(ckoSender(OLD_SECRET, BODY))).toBe('signature_mismatch');
  });

  it('has no timestamp to check, and accepts the old or the new key (rotation)', async () => {
    expect(checkoutCom().defaultToleranceMs).toBeUndefined();
    expect(await verify(ckoSender(OLD_SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(ckoSender(SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a retry of the same signed event id, whatever else changed, but not another event', async () => {
    const first = { headers: ckoSender(SECRET, BODY), rawBody: BODY };
    const reordered = BODY.replace('"type":"payment_approved",', '').replace(
      '}}',
      '},"type":"payment_approved"}',
    );
    const retry = { headers: ckoSender(SECRET, reordered), rawBody: reordered };
    expect(await secondDeliveryKind(checkoutCom(), first, retry, { secrets: SECRET })).toBe('duplicate');
    const other = body('evt_other');
    expect(
      await secondDeliveryKind(
        checkoutCom(),
        first,
        { headers: ckoSender(SECRET, other), rawBody: other },
        { secrets: SECRET },
      ),
    ).toBe('new');
  });
});
