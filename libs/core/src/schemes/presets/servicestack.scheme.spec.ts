import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { serviceStack } from './servicestack.scheme.js';

// No SDK exists (.NET only). Vector computed from ServiceStack.Webhooks HmacUtils.cs
// (`sha1=` + lowercase hex HMAC-SHA256), PROVIDERS.md §8.
const VECTOR = {
  secret: 'asecret',
  body: 'abody',
  signature: 'sha1=1d3ed20b3409de7c595475d1dd972afa497812fd097633c3a2c7f783f0bf3414',
};
const SECRET = 'a-servicestack-subscription-secret';
const OLD_SECRET = 'the-previous-servicestack-secret';
const BODY = JSON.stringify({ orderId: 42 });
// Independent computation from HmacUtils.cs: new HMACSHA256(key).ComputeHash(body), "x2" hex.
const senderSignature = (secret: string, body = BODY) =>
  'sha1=' + createHmac('sha256', secret).update(body).digest('hex');
const delivery = (signature: string, id = '5f0e0c5d2b7a4b0c9c1d2e3f4a5b6c7d') => ({
  'x-hub-signature': signature,
  'x-webhook-delivery': id,
  'x-webhook-event': 'order.created',
});

describe('serviceStack()', () => {
  const scheme = serviceStack();

  it('accepts the HmacUtils vector: sha1= prefix over an HMAC-SHA256', async () => {
    const outcome = await deliver(scheme, delivery(VECTOR.signature), VECTOR.body, {
      secrets: VECTOR.secret,
    });
    expect(eventOf(outcome)).toMatchObject({ type: 'order.created', scheme: 'servicestack' });
    expect(scheme.sign({ secret: VECTOR.secret, body: VECTOR.body })['x-hub-signature']).toBe(
      VECTOR.signature,
    );
  });

  it('refuses a real SHA-1 HMAC under the sha1= prefix', async () => {
    const realSha1 = 'sha1=' + createHmac('sha1', SECRET).update(BODY).digest('hex');
    expect(await reasonOf(deliver(scheme, delivery(realSha1), BODY, { secrets: SECRET }))).toBe(
      'malformed_signature',
    );
  });

  it('refuses a tampered body and the wrong secret; rotates between secrets', async () => {
    expect(
      await reasonOf(deliver(scheme, delivery(senderSignature(SECRET)), BODY + ' ', { secrets: SECRET })),
    ).toBe('signature_mismatch');
    expect(
      await reasonOf(deliver(scheme, delivery(senderSignature(SECRET)), BODY, { secrets: OLD_SECRET })),
    ).toBe('signature_mismatch');
    const secrets = [SECRET, OLD_SECRET];
    expect(await reasonOf(deliver(scheme, delivery(senderSignature(OLD_SECRET)), BODY, { secrets }))).toBe(
      'accepted',
    );
    expect(await reasonOf(deliver(scheme, delivery(senderSignature(SECRET)), BODY, { secrets }))).toBe(
      'accepted',
    );
  });

  it('treats X-Webhook-Delivery as unsigned: a replay under a fresh delivery id is a duplicate', async () => {
    expect(scheme.signs.id).toBe(false);
    expect(
      await replayWithFreshHeaders(scheme, delivery(senderSignature(SECRET)), BODY, SECRET, {
        'x-webhook-delivery': 'ffffffffffffffffffffffffffffffff',
      }),
    ).toEqual(['new', 'duplicate']);
  });
});
