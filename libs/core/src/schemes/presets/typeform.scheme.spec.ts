import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { typeform } from './typeform.scheme.js';

const SECRET = 'typeform-webhook-secret-0123456789';
const OLD_SECRET = 'typeform-previous-secret-98765432';
const body = (eventId = '01H8YJQ4B7WQ9A2DXN6M0T5ZKC', answer = 'Lian') =>
  JSON.stringify({
    event_id: eventId,
    event_type: 'form_response',
    form_response: {
      form_id: 'lT4Z3j',
      token: 'a3a12ec67a1365927098a606107fac15',
      answers: [{ text: answer }],
    },
  });
const BODY = body();
// No official signer or verifier: an independent computation of the documented formula
// (typeform.com/developers/webhooks/secure-your-webhooks): `sha256=` + base64 HMAC-SHA256(secret, body).
const typeformSender = (secret: string, rawBody = BODY) => ({
  'typeform-signature': 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('base64'),
  'content-type': 'application/json',
});

describe('typeform() (SECONDARY proof: node:crypto from the documented formula)', () => {
  const scheme = typeform();

  it('accepts the documented signature, signs the same value, and reads event_id and event_type', async () => {
    const headers = typeformSender(SECRET);
    const outcome = await deliver(scheme, headers, BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({ id: '01H8YJQ4B7WQ9A2DXN6M0T5ZKC', type: 'form_response' });
    expect(scheme.sign({ secret: SECRET, body: BODY })['typeform-signature']).toBe(
      headers['typeform-signature'],
    );
  });

  it('refuses a tampered body, the wrong secret and a hex signature', async () => {
    const headers = typeformSender(SECRET);
    expect(await reasonOf(deliver(scheme, headers, body(undefined, 'Liam'), { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    const hex = { 'typeform-signature': 'sha256=' + createHmac('sha256', SECRET).update(BODY).digest('hex') };
    expect(await reasonOf(deliver(scheme, hex, BODY, { secrets: SECRET }))).toBe('malformed_signature');
  });

  it('rotates: the old and the new secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, typeformSender(secret), BODY, { secrets: [SECRET, OLD_SECRET] })),
      ).toBe('accepted');
    }
  });

  it('keys replays on the signed event_id: the same event again is a duplicate, another is new', async () => {
    const first = { headers: typeformSender(SECRET), rawBody: BODY };
    const again = { headers: { ...typeformSender(SECRET), 'x-request-id': 'fresh' }, rawBody: BODY };
    expect(await secondDeliveryKind(scheme, first, again, { secrets: SECRET })).toBe('duplicate');
    const other = body('01H8YJQ4B7WQ9A2DXN6M0T5ZKD');
    expect(
      await secondDeliveryKind(
        scheme,
        first,
        { headers: typeformSender(SECRET, other), rawBody: other },
        { secrets: SECRET },
      ),
    ).toBe('new');
  });
});
