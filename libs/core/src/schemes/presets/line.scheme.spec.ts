import { validateSignature } from '@line/bot-sdk';
import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { line } from './line.scheme.js';

const SECRET = 'line-channel-secret-0123456789ab';
const OLD_SECRET = 'line-previous-channel-secret-987';
const BODY = JSON.stringify({
  destination: 'U0123456789abcdef0123456789abcdef',
  events: [
    {
      type: 'message',
      webhookEventId: '01FZ74A0TDDPYRVKNK77XKC3ZR',
      deliveryContext: { isRedelivery: false },
      timestamp: 1_700_000_000_000,
      message: { type: 'text', id: '1', text: 'hello' },
    },
  ],
});

describe('line()', () => {
  const scheme = line();

  it('signs what the official @line/bot-sdk validateSignature accepts, and refuses what it refuses', () => {
    const headers = scheme.sign({ secret: SECRET, body: BODY });
    expect(validateSignature(BODY, SECRET, headers['x-line-signature']!)).toBe(true);
    expect(validateSignature(BODY, OLD_SECRET, headers['x-line-signature']!)).toBe(false);
    expect(validateSignature(BODY + ' ', SECRET, headers['x-line-signature']!)).toBe(false);
  });

  it('accepts a signature computed as LINE documents it (base64 HMAC-SHA256 of the body) and reads the JSON events', async () => {
    const signature = createHmac('sha256', SECRET).update(BODY).digest('base64');
    expect(validateSignature(BODY, SECRET, signature)).toBe(true);
    const outcome = await deliver(scheme, { 'x-line-signature': signature }, BODY, { secrets: SECRET });
    expect((eventOf(outcome).payload as { events: unknown[] }).events).toHaveLength(1);
    expect(eventOf(outcome).signed).toEqual({ id: false, type: false, timestamp: false, body: true });
  });

  it('refuses a tampered body, the wrong secret and a malformed signature', async () => {
    const headers = scheme.sign({ secret: SECRET, body: BODY });
    expect(
      await reasonOf(deliver(scheme, headers, BODY.replace('hello', 'HELLO'), { secrets: SECRET })),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(
      await reasonOf(deliver(scheme, { 'x-line-signature': 'not base64!' }, BODY, { secrets: SECRET })),
    ).toBe('malformed_signature');
    expect(await reasonOf(deliver(scheme, {}, BODY, { secrets: SECRET }))).toBe('missing_signature');
  });

  it('rotates: the old and the new channel secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      const headers = scheme.sign({ secret, body: BODY });
      expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: [SECRET, OLD_SECRET] }))).toBe(
        'accepted',
      );
    }
  });

  it('keys replays on the signed body: a redelivery under fresh unsigned headers is a duplicate', async () => {
    expect(scheme.signs).toEqual({ id: false, timestamp: false, type: false });
    const headers = scheme.sign({ secret: SECRET, body: BODY });
    expect(
      await replayWithFreshHeaders(scheme, headers, BODY, SECRET, { 'x-line-retry-key': 'fresh-retry-key' }),
    ).toEqual(['new', 'duplicate']);
  });
});
