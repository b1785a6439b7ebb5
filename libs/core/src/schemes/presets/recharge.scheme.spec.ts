import { createHash } from 'node:crypto';
import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { recharge } from './recharge.scheme.js';

const SECRET = 'recharge-client-secret-0123456789';
const BODY = '{"subscription":{"id":1,"status":"active"}}';
// Independent computation of the documented formula: hex SHA-256(secret + body) (not an HMAC).
const reference = (body = BODY, secret = SECRET) =>
  createHash('sha256')
    .update(secret + body)
    .digest('hex');
const request = (signature = reference(), body = BODY, topic = 'subscription/created') => ({
  headers: { 'x-recharge-hmac-sha256': signature, 'x-recharge-topic': topic },
  rawBody: body,
});
const scheme = () => recharge({ legacy: true });

describe('recharge() (SECONDARY, legacy; no official signer or verifier: checked against node:crypto)', () => {
  it('is refused at factory time without legacy: true', () => {
    expect(() => recharge({ legacy: false })).toThrow(/legacy: true/);
    expect(() => recharge(undefined as unknown as { legacy: boolean })).toThrow(/legacy: true/);
  });

  it('accepts hex sha256(secret + body) computed with node:crypto', async () => {
    expect(await reasonOf(verifyWith(scheme(), request(), { secrets: SECRET }))).toBe('accepted');
    expect(scheme().sign({ secret: SECRET, body: BODY })['x-recharge-hmac-sha256']).toBe(reference());
  });

  it('refuses a tampered body, the wrong secret, and a non-JSON body even when the hash matches', async () => {
    expect(
      await reasonOf(
        verifyWith(scheme(), request(reference(), BODY.replace('active', 'cancelled')), { secrets: SECRET }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(scheme(), request(), { secrets: 'other-recharge-secret-0' }))).toBe(
      'signature_mismatch',
    );
    // A length-extension forgery carries SHA-256 padding bytes: never valid JSON.
    const extended = `${BODY}\u0080\u0000\u0000{"evil":1}`;
    expect(
      await reasonOf(verifyWith(scheme(), request(reference(extended), extended), { secrets: SECRET })),
    ).toBe('signature_mismatch');
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(
      await reasonOf(verifyWith(scheme(), request(), { secrets: ['new-recharge-secret-000', SECRET] })),
    ).toBe('accepted');
  });

  it('refuses a replay under a fresh (unsigned) topic header', async () => {
    expect(
      await secondDeliveryKind(scheme(), request(), request(reference(), BODY, 'subscription/updated'), {
        secrets: SECRET,
      }),
    ).toBe('duplicate');
  });
});
