import { createHmac } from 'node:crypto';
import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { zendesk } from './zendesk.scheme.js';

const SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
const TS = '2021-07-25T10:00:00Z';
const NOW = Date.parse(TS);
const BODY = '{"say": "hello"}';
// Independent computation of the documented formula: base64 HMAC-SHA256(secret, TIMESTAMP + BODY).
const reference = (ts = TS, body = BODY, secret = SECRET) =>
  createHmac('sha256', secret)
    .update(ts + body)
    .digest('base64');
const request = (signature = reference(), ts = TS, body = BODY) => ({
  headers: { 'x-zendesk-webhook-signature': signature, 'x-zendesk-webhook-signature-timestamp': ts },
  rawBody: body,
});

describe('zendesk() (no official signer or verifier: checked against node:crypto)', () => {
  it('accepts base64 HMAC-SHA256(secret, timestamp + body) computed with node:crypto, empty bodies too', async () => {
    expect(await reasonOf(verifyWith(zendesk(), request(), { secrets: SECRET, now: NOW }))).toBe('accepted');
    expect(
      await reasonOf(
        verifyWith(zendesk(), request(reference(TS, ''), TS, ''), { secrets: SECRET, now: NOW }),
      ),
    ).toBe('accepted');
    expect(
      zendesk().sign({ secret: SECRET, body: BODY, timestamp: NOW })['x-zendesk-webhook-signature'],
    ).toBe(reference());
  });

  it('refuses a tampered body or timestamp, the wrong secret and a non-RFC 3339 timestamp', async () => {
    expect(
      await reasonOf(
        verifyWith(zendesk(), request(reference(), TS, '{"say": "bye"}'), { secrets: SECRET, now: NOW }),
      ),
    ).toBe('signature_mismatch');
    expect(
      await reasonOf(
        verifyWith(zendesk(), request(reference(), '2021-07-25T10:00:01Z'), { secrets: SECRET, now: NOW }),
      ),
    ).toBe('signature_mismatch');
    expect(
      await reasonOf(verifyWith(zendesk(), request(), { secrets: 'another-zendesk-secret', now: NOW })),
    ).toBe('signature_mismatch');
    expect(
      await reasonOf(
        verifyWith(zendesk(), request(reference(), '1627207200'), { secrets: SECRET, now: NOW }),
      ),
    ).toBe('malformed_header');
  });

  it('refuses stale and future timestamps (5 minutes both ways)', async () => {
    expect(await reasonOf(verifyWith(zendesk(), request(), { secrets: SECRET, now: NOW + 301_000 }))).toBe(
      'timestamp_expired',
    );
    expect(await reasonOf(verifyWith(zendesk(), request(), { secrets: SECRET, now: NOW - 301_000 }))).toBe(
      'timestamp_in_future',
    );
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(
      await reasonOf(
        verifyWith(zendesk(), request(), { secrets: ['new-zendesk-secret-000', SECRET], now: NOW }),
      ),
    ).toBe('accepted');
  });

  it('refuses a replay under a fresh (unsigned) invocation id header', async () => {
    const second = {
      ...request(),
      headers: { ...request().headers, 'x-zendesk-webhook-invocation-id': 'inv-2' },
    };
    expect(await secondDeliveryKind(zendesk(), request(), second, { secrets: SECRET, now: NOW })).toBe(
      'duplicate',
    );
  });
});
