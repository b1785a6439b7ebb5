import { createHmac } from 'node:crypto';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { calCom } from './cal-com.scheme.js';

// Cal.com ships no verifier. SECONDARY: the sender is written independently from Cal.com's
// documented formula (cal.com/docs/developing/guides/automation/webhooks):
//   X-Cal-Signature-256 = hex HMAC-SHA256(webhook secret, raw body)
const SECRET = 'cal-com-webhook-secret-0123456789';
const OLD_SECRET = 'cal-com-previous-secret-987654321';
const body = (uid = 'bk_1', trigger = 'BOOKING_CREATED') =>
  JSON.stringify({
    triggerEvent: trigger,
    createdAt: '2026-11-30T10:00:00.000Z',
    payload: { uid, title: 'Intro call' },
  });
const BODY = body();
const calSender = (secret: string, raw: string) => ({
  'x-cal-signature-256': createHmac('sha256', secret).update(raw).digest('hex'),
  'content-type': 'application/json',
});
const verify = (headers: Record<string, string>, raw = BODY, secrets: string | string[] = SECRET) =>
  reasonOf(deliver(calCom(), headers, raw, { secrets }));

describe('calCom()', () => {
  it('accepts a delivery signed per the documented formula (signing the same value); dispatched on triggerEvent', async () => {
    const headers = calSender(SECRET, BODY);
    expect(calCom().sign({ secret: SECRET, body: BODY })['x-cal-signature-256']).toBe(
      headers['x-cal-signature-256'],
    );
    const event = eventOf(await deliver(calCom(), headers, BODY, { secrets: SECRET }));
    expect(eventNamesOf(calCom(), event)).toEqual(['BOOKING_CREATED']);
  });

  it('refuses a tampered body, the wrong secret, and the unsigned "no-secret-provided" marker', async () => {
    expect(await verify(calSender(SECRET, BODY), body('bk_1', 'BOOKING_CANCELLED'))).toBe(
      'signature_mismatch',
    );
    expect(await verify(calSender(OLD_SECRET, BODY))).toBe('signature_mismatch');
    expect(await verify({ 'x-cal-signature-256': 'no-secret-provided' })).toBe('malformed_signature');
  });

  it('has no timestamp to check, and accepts the old or the new secret (rotation)', async () => {
    expect(calCom().defaultToleranceMs).toBeUndefined();
    expect(await verify(calSender(OLD_SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(calSender(SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a replayed delivery (keyed on the signed body), but not another booking', async () => {
    const first = { headers: calSender(SECRET, BODY), rawBody: BODY };
    expect(await secondDeliveryKind(calCom(), first, first, { secrets: SECRET })).toBe('duplicate');
    const other = body('bk_2');
    expect(
      await secondDeliveryKind(
        calCom(),
        first,
        { headers: calSender(SECRET, other), rawBody: other },
        { secrets: SECRET },
      ),
    ).toBe('new');
  });
});
