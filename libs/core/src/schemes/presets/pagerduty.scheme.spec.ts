import { createHmac } from 'node:crypto';
import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { pagerduty } from './pagerduty.scheme.js';

const SECRET = 'pd-subscription-secret-0123456789abcd';
const OLD = 'pd-old-subscription-secret-01234567';
const BODY = '{"event":{"id":"01DEN","event_type":"incident.triggered","data":{"id":"PGR0VU2"}}}';
// Independent computation of the documented formula: `v1=` + hex HMAC-SHA256(secret, body).
const v1 = (secret = SECRET, body = BODY) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
const request = (header: string, body = BODY, id = 'wh-1') => ({
  headers: { 'x-pagerduty-signature': header, 'x-webhook-id': id },
  rawBody: body,
});

describe('pagerduty() (no official Node signer or verifier: checked against node:crypto)', () => {
  it('accepts v1=hex HMAC-SHA256(secret, body) computed with node:crypto', async () => {
    expect(await reasonOf(verifyWith(pagerduty(), request(v1()), { secrets: SECRET }))).toBe('accepted');
    expect(pagerduty().sign({ secret: SECRET, body: BODY })['x-pagerduty-signature']).toBe(v1());
  });

  it('refuses a tampered body and the wrong secret', async () => {
    expect(
      await reasonOf(
        verifyWith(pagerduty(), request(v1(), BODY.replace('PGR0VU2', 'PGR0VU3')), { secrets: SECRET }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(pagerduty(), request(v1()), { secrets: OLD }))).toBe(
      'signature_mismatch',
    );
  });

  it('accepts any v1 in the list and any configured secret (rotation), skipping other versions', async () => {
    expect(await reasonOf(verifyWith(pagerduty(), request(`${v1(OLD)}, ${v1()}`), { secrets: SECRET }))).toBe(
      'accepted',
    );
    expect(await reasonOf(verifyWith(pagerduty(), request(`v2=abcd,${v1(OLD)}`), { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(verifyWith(pagerduty(), request(v1(OLD)), { secrets: [SECRET, OLD] }))).toBe(
      'accepted',
    );
  });

  it('refuses a replay under a fresh (unsigned) X-Webhook-Id', async () => {
    expect(
      await secondDeliveryKind(pagerduty(), request(v1()), request(v1(), BODY, 'wh-2'), { secrets: SECRET }),
    ).toBe('duplicate');
  });
});
