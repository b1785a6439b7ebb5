import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { lemonSqueezy } from './lemonsqueezy.scheme.js';

const SECRET = 'lemon-squeezy-signing-secret-012';
const OLD_SECRET = 'lemon-squeezy-previous-secret-98';
const BODY = JSON.stringify({
  meta: { event_name: 'order_created', test_mode: true },
  data: { type: 'orders', id: '1', attributes: { status: 'paid' } },
});
// No official signer or verifier (@lemonsqueezy/lemonsqueezy.js has none): an independent computation of
// the documented formula (docs.lemonsqueezy.com/help/webhooks/signing-requests): hex HMAC-SHA256(secret, body).
const lemonSender = (secret: string, body = BODY) => ({
  'x-signature': createHmac('sha256', secret).update(body).digest('hex'),
  'x-event-name': 'order_created',
  'content-type': 'application/json',
});

describe('lemonSqueezy() (SECONDARY proof: node:crypto from the documented formula)', () => {
  const scheme = lemonSqueezy();

  it('accepts the documented signature and signs the same value', async () => {
    const headers = lemonSender(SECRET);
    const outcome = await deliver(scheme, headers, BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({ type: 'order_created', scheme: 'lemonsqueezy' });
    expect(scheme.sign({ secret: SECRET, body: BODY })['x-signature']).toBe(headers['x-signature']);
  });

  it('takes the type from the signed meta.event_name when X-Event-Name is absent', async () => {
    const { 'x-event-name': _dropped, ...headers } = lemonSender(SECRET);
    const outcome = await deliver(scheme, headers, BODY, { secrets: SECRET });
    expect(eventOf(outcome).type).toBe('order_created');
    expect(eventOf(outcome).signed.type).toBe(true);
  });

  it('refuses a tampered body and the wrong secret', async () => {
    const headers = lemonSender(SECRET);
    expect(
      await reasonOf(deliver(scheme, headers, BODY.replace('paid', 'refunded'), { secrets: SECRET })),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
  });

  it('rotates: the old and the new secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, lemonSender(secret), BODY, { secrets: [SECRET, OLD_SECRET] })),
      ).toBe('accepted');
    }
  });

  it('treats X-Event-Name as unsigned: a replay under a fresh one is a duplicate', async () => {
    expect(
      await replayWithFreshHeaders(scheme, lemonSender(SECRET), BODY, SECRET, {
        'x-event-name': 'order_refunded',
      }),
    ).toEqual(['new', 'duplicate']);
  });
});
