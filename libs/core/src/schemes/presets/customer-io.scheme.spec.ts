import { createHmac } from 'node:crypto';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { customerIo } from './customer-io.scheme.js';

// Customer.io ships no JavaScript verifier. SECONDARY: the sender is written independently from
// Customer.io's documented formula (docs.customer.io/api/webhooks):
//   X-CIO-Signature = hex HMAC-SHA256(signing key, `v0:${X-CIO-Timestamp}:${body}`), timestamp in Unix seconds
const KEY = 'customer-io-signing-key-0123456789';
const OLD_KEY = 'customer-io-previous-key-98765432';
const NOW = 1_763_800_000;
const body = (eventId = '01E4C4CT6YDC7Y5M7FE1GWWPQJ', metric = 'opened') =>
  JSON.stringify({
    data: { customer_id: '42', delivery_id: 'RPILAgABcRhIBqSp7kiPekGBIeVh' },
    event_id: eventId,
    object_type: 'email',
    metric,
    timestamp: NOW,
  });
const BODY = body();
const cioSender = (key: string, raw: string, seconds = NOW) => ({
  'x-cio-timestamp': String(seconds),
  'x-cio-signature': createHmac('sha256', key).update(`v0:${seconds}:${raw}`).digest('hex'),
  'content-type': 'application/json',
});
const verify = (
  headers: Record<string, string>,
  raw = BODY,
  secrets: string | string[] = KEY,
  now = NOW * 1000,
) => reasonOf(deliver(customerIo(), headers, raw, { secrets, now }));

describe('customerIo()', () => {
  it('accepts a delivery signed per the documented formula (signing the same value); event_id and object_type.metric', async () => {
    const headers = cioSender(KEY, BODY);
    expect(customerIo().sign({ secret: KEY, body: BODY, timestamp: NOW * 1000 })['x-cio-signature']).toBe(
      headers['x-cio-signature'],
    );
    const event = eventOf(await deliver(customerIo(), headers, BODY, { secrets: KEY, now: NOW * 1000 }));
    expect(event.id).toBe('01E4C4CT6YDC7Y5M7FE1GWWPQJ');
    expect(eventNamesOf(customerIo(), event)).toEqual(['email.opened']);
  });

  it('refuses a tampered body, the wrong key, and a moved timestamp', async () => {
    expect(await verify(cioSender(KEY, BODY), body(undefined, 'clicked'))).toBe('signature_mismatch');
    expect(await verify(cioSender(OLD_KEY, BODY))).toBe('signature_mismatch');
    expect(await verify({ ...cioSender(KEY, BODY), 'x-cio-timestamp': String(NOW + 1) })).toBe(
      'signature_mismatch',
    );
  });

  it('refuses stale and future timestamps (±5 min)', async () => {
    expect(await verify(cioSender(KEY, BODY, NOW - 301))).toBe('timestamp_expired');
    expect(await verify(cioSender(KEY, BODY, NOW + 301))).toBe('timestamp_in_future');
    expect(await verify(cioSender(KEY, BODY, NOW - 299))).toBe('accepted');
  });

  it('accepts the old or the new key (rotation)', async () => {
    expect(await verify(cioSender(OLD_KEY, BODY), BODY, [KEY, OLD_KEY])).toBe('accepted');
    expect(await verify(cioSender(KEY, BODY), BODY, [KEY, OLD_KEY])).toBe('accepted');
  });

  it('refuses a retry of the same event_id re-signed under a fresh timestamp, but not another event', async () => {
    const options = { secrets: KEY, now: NOW * 1000 };
    const first = { headers: cioSender(KEY, BODY), rawBody: BODY };
    expect(
      await secondDeliveryKind(
        customerIo(),
        first,
        { headers: cioSender(KEY, BODY, NOW + 60), rawBody: BODY },
        options,
      ),
    ).toBe('duplicate');
    const other = body('01E4C4CT6YDC7Y5M7FE1GWWPQK');
    expect(
      await secondDeliveryKind(
        customerIo(),
        first,
        { headers: cioSender(KEY, other), rawBody: other },
        options,
      ),
    ).toBe('new');
  });
});
