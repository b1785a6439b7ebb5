import { Paddle } from '@paddle/paddle-node-sdk';
import { eventOf, reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { paddle, PADDLE_DEFAULT_TOLERANCE_MS } from './paddle.scheme.js';

// Published vector: PaddleHQ/paddle-node-sdk webhooks-validator test (PROVIDERS.md §11).
const VECTOR = {
  secret: 'VALID_SECRET',
  body: '{"data": ["1", "2"]}',
  ts: 1698796800,
  header: 'ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9',
};
const SECRET = 'pdl_ntfset_01h000000000000000000000_secret';
const at = (seconds: number) => seconds * 1000;
const vector = (header = VECTOR.header, body = VECTOR.body) => ({
  headers: { 'paddle-signature': header },
  rawBody: body,
});

describe('paddle()', () => {
  it('accepts the published SDK vector', async () => {
    const outcome = await verifyWith(paddle(), vector(), { secrets: VECTOR.secret, now: at(VECTOR.ts) });
    expect(eventOf(outcome).timestamp?.getTime()).toBe(at(VECTOR.ts));
  });

  it('signs what the official Paddle SDK verifier accepts', async () => {
    const body = JSON.stringify({ event_id: 'evt_01', event_type: 'transaction.paid', data: {} });
    const headers = paddle().sign({ secret: SECRET, body });
    const sdk = new Paddle('pdl_sdbx_apikey_test');
    expect(await sdk.webhooks.isSignatureValid(body, SECRET, headers['paddle-signature']!)).toBe(true);
    expect(await sdk.webhooks.isSignatureValid(body, 'wrong-secret', headers['paddle-signature']!)).toBe(
      false,
    );
  });

  it('refuses a tampered body and the wrong secret', async () => {
    const now = at(VECTOR.ts);
    expect(
      await reasonOf(
        verifyWith(paddle(), vector(VECTOR.header, '{"data": ["1", "3"]}'), { secrets: VECTOR.secret, now }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(paddle(), vector(), { secrets: 'OTHER_SECRET', now }))).toBe(
      'signature_mismatch',
    );
    expect(
      await reasonOf(verifyWith(paddle(), vector('ts=1698796800'), { secrets: VECTOR.secret, now })),
    ).toBe('malformed_signature');
    expect(await reasonOf(verifyWith(paddle(), vector('h1=abcd'), { secrets: VECTOR.secret, now }))).toBe(
      'malformed_header',
    );
  });

  it('refuses stale and future timestamps (default 60 s both ways, documented)', async () => {
    expect(paddle().defaultToleranceMs).toBe(PADDLE_DEFAULT_TOLERANCE_MS);
    const verify = (now: number) => reasonOf(verifyWith(paddle(), vector(), { secrets: VECTOR.secret, now }));
    expect(await verify(at(VECTOR.ts + 61))).toBe('timestamp_expired');
    expect(await verify(at(VECTOR.ts - 61))).toBe('timestamp_in_future');
    expect(await verify(at(VECTOR.ts + 59))).toBe('accepted');
    expect(paddle({ toleranceMs: 5_000 }).defaultToleranceMs).toBe(5_000);
  });

  it('accepts any h1 in the header and any configured secret (rotation)', async () => {
    const now = at(VECTOR.ts);
    const bogus = 'f'.repeat(64);
    const [ts, h1] = VECTOR.header.split(';') as [string, string];
    // The SDK keeps only the last h1; we try each, so the valid one may come first.
    expect(
      await reasonOf(
        verifyWith(paddle(), vector(`${ts};${h1};h1=${bogus}`), { secrets: VECTOR.secret, now }),
      ),
    ).toBe('accepted');
    expect(
      await reasonOf(
        verifyWith(paddle(), vector(`${ts};h1=${bogus};${h1}`), { secrets: VECTOR.secret, now }),
      ),
    ).toBe('accepted');
    expect(
      await reasonOf(verifyWith(paddle(), vector(), { secrets: ['NEW_SECRET_VALUE', VECTOR.secret], now })),
    ).toBe('accepted');
  });

  it('refuses a re-signed copy of a processed event (replay keyed on the signed event_id)', async () => {
    const body = JSON.stringify({ event_id: 'evt_replayed', event_type: 'transaction.paid' });
    const now = Date.now();
    const first = { headers: paddle().sign({ secret: SECRET, body, timestamp: now }), rawBody: body };
    const second = {
      headers: paddle().sign({ secret: SECRET, body: body + ' ', timestamp: now + 1000 }),
      rawBody: body + ' ',
    };
    expect(await secondDeliveryKind(paddle(), first, second, { secrets: SECRET, now })).toBe('duplicate');
  });
});
