import { createHmac } from 'node:crypto';
import { eventOf, reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { mailgun, mailgunSignature } from './mailgun.scheme.js';

const KEY = 'key-mailgun-signing-0123456789abcdef';
const NOW = 1_700_000_000_000;
const TS = String(NOW / 1000);
// Independent computation of the documented formula: hex HMAC-SHA256(signing key, timestamp + token).
const reference = (timestamp: string, token: string, key = KEY) =>
  createHmac('sha256', key)
    .update(timestamp + token)
    .digest('hex');
const jsonDelivery = (
  token = 'tok_0123456789abcdef0123456789abcdef0123456789ab',
  timestamp = TS,
  key = KEY,
  eventData: object = { event: 'delivered' },
) => ({
  headers: { 'content-type': 'application/json' },
  rawBody: JSON.stringify({
    signature: { timestamp, token, signature: reference(timestamp, token, key) },
    'event-data': eventData,
  }),
});

describe('mailgun() (no official signer or verifier: checked against node:crypto)', () => {
  it('accepts a JSON delivery whose signature is HMAC-SHA256(key, timestamp + token) computed with node:crypto', async () => {
    expect(await reasonOf(verifyWith(mailgun(), jsonDelivery(), { secrets: KEY, now: NOW }))).toBe(
      'accepted',
    );
    expect(mailgunSignature(KEY, 'tok_a', NOW)).toEqual({
      timestamp: TS,
      token: 'tok_a',
      signature: reference(TS, 'tok_a'),
    });
  });

  it('says that the body is not signed: event data beside a valid signature block may be forged', async () => {
    const token = 'tok_forged_type_0123456789abcdef';
    const sent = jsonDelivery(token);
    const forged = {
      ...sent,
      rawBody: sent.rawBody.replace('{"signature"', '{"type":"refund.approved","signature"'),
    };
    const event = eventOf(await verifyWith(mailgun(), forged, { secrets: KEY, now: NOW }));
    expect(event.type).toBe('refund.approved');
    expect(event.signed).toEqual({ id: true, type: false, timestamp: true, body: false });
  });

  it('accepts the legacy url-encoded form fields', async () => {
    const token = 'formtoken0123456789';
    const body = new URLSearchParams({
      timestamp: TS,
      token,
      signature: reference(TS, token),
      event: 'opened',
    }).toString();
    const request = { headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: body };
    expect(await reasonOf(verifyWith(mailgun(), request, { secrets: KEY, now: NOW }))).toBe('accepted');
  });

  it('refuses a tampered token or timestamp, the wrong key, and a body without a signature', async () => {
    const good = jsonDelivery();
    const tampered = good.rawBody.replace('tok_0', 'tok_1');
    expect(
      await reasonOf(verifyWith(mailgun(), { ...good, rawBody: tampered }, { secrets: KEY, now: NOW })),
    ).toBe('signature_mismatch');
    const shifted = good.rawBody.replace(`"timestamp":"${TS}"`, `"timestamp":"${Number(TS) + 1}"`);
    expect(
      await reasonOf(verifyWith(mailgun(), { ...good, rawBody: shifted }, { secrets: KEY, now: NOW })),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(mailgun(), good, { secrets: 'key-other-0123456789', now: NOW }))).toBe(
      'signature_mismatch',
    );
    expect(
      await reasonOf(
        verifyWith(mailgun(), { ...good, rawBody: '{"event-data":{}}' }, { secrets: KEY, now: NOW }),
      ),
    ).toBe('missing_signature');
  });

  it('refuses stale and future timestamps (5 minutes both ways)', async () => {
    expect(await reasonOf(verifyWith(mailgun(), jsonDelivery(), { secrets: KEY, now: NOW + 301_000 }))).toBe(
      'timestamp_expired',
    );
    expect(await reasonOf(verifyWith(mailgun(), jsonDelivery(), { secrets: KEY, now: NOW - 301_000 }))).toBe(
      'timestamp_in_future',
    );
  });

  it('accepts the old or the new signing key (rotation)', async () => {
    expect(
      await reasonOf(
        verifyWith(mailgun(), jsonDelivery(), { secrets: ['key-new-0123456789abcd', KEY], now: NOW }),
      ),
    ).toBe('accepted');
  });

  it('refuses a reused token even with other (unsigned) event data', async () => {
    const first = jsonDelivery();
    const forged = jsonDelivery(undefined, undefined, undefined, {
      event: 'failed',
      recipient: 'victim@example.com',
    });
    expect(await secondDeliveryKind(mailgun(), first, forged, { secrets: KEY, now: NOW })).toBe('duplicate');
  });

  it('stops parsing a forged form at the 1,000-parameter cap (refused with 413)', async () => {
    const token = 'formtoken0123456789';
    const fields = new URLSearchParams({ timestamp: TS, token, signature: reference(TS, token) }).toString();
    const filler = Array.from({ length: 1_000 }, (_, i) => `p${i}=1`).join('&');
    const body = Buffer.from(`${filler}&${fields}&${'a=1&'.repeat(250_000)}`);
    const decoded = vi.spyOn(body, 'toString');
    const request = { headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: body };
    expect(await reasonOf(verifyWith(mailgun(), request, { secrets: KEY, now: NOW }))).toBe('body_too_large');
    const read = decoded.mock.calls.map((call) => (call[2] === undefined ? body.length : Number(call[2])));
    expect(Math.max(...read)).toBeLessThan(filler.length + fields.length);
  });
});
