import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { vercel } from './vercel.scheme.js';

const SECRET = 'vercel-webhook-secret-0123456789';
const OLD_SECRET = 'vercel-previous-secret-987654321';
const body = (id = 'evt_2qG8a8eRkBEbZkMTNJAJQ3aT', url = 'app-abc.vercel.app') =>
  JSON.stringify({
    id,
    type: 'deployment.succeeded',
    createdAt: 1_763_800_000_000,
    payload: { deployment: { url } },
  });
const BODY = body();
// SECONDARY facts and proof: no official verifier; an independent computation of the formula that
// third-party guides document: hex HMAC-SHA1(secret, body) in x-vercel-signature.
const vercelSender = (secret: string, rawBody = BODY) => ({
  'x-vercel-signature': createHmac('sha1', secret).update(rawBody).digest('hex'),
  'content-type': 'application/json',
});

describe('vercel() (SECONDARY facts; node:crypto)', () => {
  const scheme = vercel();

  it('accepts the documented signature, signs the same value, and reads id and type from the signed body', async () => {
    const headers = vercelSender(SECRET);
    const outcome = await deliver(scheme, headers, BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({
      id: 'evt_2qG8a8eRkBEbZkMTNJAJQ3aT',
      type: 'deployment.succeeded',
    });
    expect(scheme.sign({ secret: SECRET, body: BODY })['x-vercel-signature']).toBe(
      headers['x-vercel-signature'],
    );
  });

  it('refuses a tampered body, the wrong secret and a SHA-256 signature', async () => {
    const headers = vercelSender(SECRET);
    expect(
      await reasonOf(deliver(scheme, headers, body(undefined, 'evil.vercel.app'), { secrets: SECRET })),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    const sha256 = { 'x-vercel-signature': createHmac('sha256', SECRET).update(BODY).digest('hex') };
    expect(await reasonOf(deliver(scheme, sha256, BODY, { secrets: SECRET }))).toBe('malformed_signature');
  });

  it('rotates: the old and the new secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, vercelSender(secret), BODY, { secrets: [SECRET, OLD_SECRET] })),
      ).toBe('accepted');
    }
  });

  it('keys replays on the signed event id: the same event again is a duplicate, another is new', async () => {
    const first = { headers: vercelSender(SECRET), rawBody: BODY };
    const again = { headers: { ...vercelSender(SECRET), 'x-vercel-id': 'fresh' }, rawBody: BODY };
    expect(await secondDeliveryKind(scheme, first, again, { secrets: SECRET })).toBe('duplicate');
    const other = body('evt_2qG8a8eRkBEbZkMTNJAJQ3aU');
    expect(
      await secondDeliveryKind(
        scheme,
        first,
        { headers: vercelSender(SECRET, other), rawBody: other },
        { secrets: SECRET },
      ),
    ).toBe('new');
  });
});
