import { createHmac } from 'node:crypto';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { paystack } from './paystack.scheme.js';

// Paystack ships no official Node verifier. SECONDARY: the sender is written independently from
// Paystack's documented formula (paystack.com/docs/payments/webhooks, "Verify event origin"):
//   x-paystack-signature = hex HMAC-SHA512(secret key, raw body)
const SECRET = 'sk_test_0123456789abcdef0123456789abcdef01234567';
const OLD_SECRET = 'sk_test_previous_9876543210fedcba9876543210fedcba';
const body = (reference = 're4lyvq3s3', amount = 40333) =>
  JSON.stringify({
    event: 'charge.success',
    data: { id: 302961, reference, amount, currency: 'NGN', status: 'success' },
  });
const BODY = body();
const paystackSender = (secret: string, raw: string) => ({
  'x-paystack-signature': createHmac('sha512', secret).update(raw).digest('hex'),
  'content-type': 'application/json',
});
const verify = (headers: Record<string, string>, raw = BODY, secrets: string | string[] = SECRET) =>
  reasonOf(deliver(paystack(), headers, raw, { secrets }));

describe('paystack()', () => {
  it('accepts a delivery signed per the documented formula (HMAC-SHA512), signs the same value; dispatched on event', async () => {
    const headers = paystackSender(SECRET, BODY);
    expect(paystack().sign({ secret: SECRET, body: BODY })['x-paystack-signature']).toBe(
      headers['x-paystack-signature'],
    );
    const event = eventOf(await deliver(paystack(), headers, BODY, { secrets: SECRET }));
    expect(eventNamesOf(paystack(), event)).toEqual(['charge.success']);
  });

  it('refuses a tampered body, the wrong key, and a SHA-256 signature', async () => {
    expect(await verify(paystackSender(SECRET, BODY), body(undefined, 1))).toBe('signature_mismatch');
    expect(await verify(paystackSender(OLD_SECRET, BODY))).toBe('signature_mismatch');
    const sha256 = createHmac('sha256', SECRET).update(BODY).digest('hex');
    expect(await verify({ 'x-paystack-signature': sha256 })).toBe('malformed_signature');
  });

  it('has no timestamp to check, and accepts the old or the new key (rotation)', async () => {
    expect(paystack().defaultToleranceMs).toBeUndefined();
    expect(await verify(paystackSender(OLD_SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(paystackSender(SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a replayed event (keyed on the signed body), but not another charge', async () => {
    const first = { headers: paystackSender(SECRET, BODY), rawBody: BODY };
    expect(await secondDeliveryKind(paystack(), first, first, { secrets: SECRET })).toBe('duplicate');
    const other = body('other-ref');
    expect(
      await secondDeliveryKind(
        paystack(),
        first,
        { headers: paystackSender(SECRET, other), rawBody: other },
        { secrets: SECRET },
      ),
    ).toBe('new');
  });
});
