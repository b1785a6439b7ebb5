import Razorpay from 'razorpay';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { razorpay } from './razorpay.scheme.js';

const SECRET = 'razorpay-webhook-secret-0123456789';
const OLD_SECRET = 'razorpay-previous-secret-98765432';
const BODY = JSON.stringify({
  entity: 'event',
  account_id: 'acc_BFQ7uQEaa7j2z7',
  event: 'payment.captured',
  contains: ['payment'],
  payload: { payment: { entity: { id: 'pay_DESlfW9H8K9uqM', amount: 100, currency: 'INR' } } },
  created_at: 1567674606,
});
const signed = (secret = SECRET, body = BODY) => razorpay().sign({ secret, body, id: 'KWk0ZbT5zM1t7L' });
const verify = (headers: Record<string, string>, body = BODY, secrets: string | string[] = SECRET) =>
  reasonOf(deliver(razorpay(), headers, body, { secrets }));

describe('razorpay()', () => {
  it("signs what the official razorpay SDK's validateWebhookSignature accepts", () => {
    const signature = signed()['x-razorpay-signature']!;
    expect(Razorpay.validateWebhookSignature(BODY, signature, SECRET)).toBe(true);
    expect(Razorpay.validateWebhookSignature(BODY, signature, OLD_SECRET)).toBe(false);
  });

  it('accepts its signature, exposes the unsigned event id, and dispatches on the body event', async () => {
    const event = eventOf(await deliver(razorpay(), signed(), BODY, { secrets: SECRET }));
    expect(event.id).toBe('KWk0ZbT5zM1t7L');
    expect(event.signed.id).toBe(false);
    expect(eventNamesOf(razorpay(), event)).toEqual(['payment.captured']);
  });

  it('refuses a tampered body, the wrong secret, and a signature that is not hex', async () => {
    expect(await verify(signed(), BODY.replace('"amount":100', '"amount":1'))).toBe('signature_mismatch');
    expect(await verify(signed(OLD_SECRET))).toBe('signature_mismatch');
    expect(await verify({ 'x-razorpay-signature': 'not-hex' })).toBe('malformed_signature');
    expect(await verify({})).toBe('missing_signature');
  });

  it('has no timestamp to check, and accepts the old or the new secret (rotation)', async () => {
    expect(razorpay().defaultToleranceMs).toBeUndefined();
    expect(await verify(signed(OLD_SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(signed(SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a replay under a fresh, unsigned x-razorpay-event-id', async () => {
    expect(
      await replayWithFreshHeaders(razorpay(), signed(), BODY, SECRET, { 'x-razorpay-event-id': 'fresh-id' }),
    ).toEqual(['new', 'duplicate']);
  });
});
