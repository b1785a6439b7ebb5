import DodoPayments from 'dodopayments';
import { Webhook } from 'standardwebhooks';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { dodoPayments } from './dodo-payments.scheme.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 31).toString('base64');
const OLD_SECRET = 'whsec_' + Buffer.alloc(32, 32).toString('base64');
const BODY = JSON.stringify({
  business_id: 'bus_123',
  type: 'payment.succeeded',
  timestamp: '2026-11-30T10:00:00Z',
  data: { payload_type: 'Payment', payment_id: 'pay_123', total_amount: 4900 },
});
const NOW = 1_763_800_000_000;
const sdk = (key: string) => new DodoPayments({ bearerToken: 'dodo-test-key', webhookKey: key });
const sent = (secret = SECRET, id = 'msg_dodo_1', ms = NOW) => ({
  'webhook-id': id,
  'webhook-timestamp': String(Math.floor(ms / 1000)),
  'webhook-signature': new Webhook(secret).sign(id, new Date(ms), BODY),
  'content-type': 'application/json',
});
const verify = (
  headers: Record<string, string>,
  body = BODY,
  secrets: string | string[] = SECRET,
  now = NOW,
) => reasonOf(deliver(dodoPayments(), headers, body, { secrets, now }));

describe('dodoPayments()', () => {
  it("signs what the official dodopayments SDK's webhooks.unwrap accepts", () => {
    const headers = dodoPayments().sign({ secret: SECRET, body: BODY, id: 'msg_dodo_sdk' });
    expect(sdk(SECRET).webhooks.unwrap(BODY, { headers })).toMatchObject({ type: 'payment.succeeded' });
    expect(() => sdk(OLD_SECRET).webhooks.unwrap(BODY, { headers })).toThrow();
  });

  it('accepts a delivery from the Standard Webhooks reference signer; the body type names it', async () => {
    const event = eventOf(await deliver(dodoPayments(), sent(), BODY, { secrets: SECRET, now: NOW }));
    expect(event).toMatchObject({ id: 'msg_dodo_1', type: 'payment.succeeded', scheme: 'dodo-payments' });
  });

  it('refuses a tampered body, the wrong secret, and stale or future timestamps (±5 min)', async () => {
    expect(await verify(sent(), BODY.replace('4900', '1'))).toBe('signature_mismatch');
    expect(await verify(sent(OLD_SECRET))).toBe('signature_mismatch');
    expect(await verify(sent(), BODY, SECRET, NOW + 301_000)).toBe('timestamp_expired');
    expect(await verify(sent(), BODY, SECRET, NOW - 301_000)).toBe('timestamp_in_future');
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(await verify(sent(OLD_SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(sent(SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a retry of the same webhook-id; a swapped id breaks the signature', async () => {
    expect(await replayWithFreshHeaders(dodoPayments(), sent(), BODY, SECRET, {}, NOW)).toEqual([
      'new',
      'duplicate',
    ]);
    expect(await verify({ ...sent(), 'webhook-id': 'msg_fresh' })).toBe('signature_mismatch');
  });
});
