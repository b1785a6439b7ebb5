import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { intercom } from './intercom.scheme.js';

const SECRET = 'intercom-client-secret-0123456789';
const OLD_SECRET = 'intercom-previous-secret-98765432';
const BODY = JSON.stringify({
  type: 'notification_event',
  id: 'notif_78c122d0-23ba-11e4-9464-79b01267cc2e',
  topic: 'conversation.user.created',
  app_id: 'a86dr8yl',
  data: { type: 'notification_event_data', item: { type: 'conversation', id: '123' } },
});
// No official signer or verifier: an independent computation of the documented formula
// (developers.intercom.com, "Signed notifications"): `sha1=` + hex HMAC-SHA1(client secret, body).
const intercomSender = (secret: string, body = BODY) => ({
  'x-hub-signature': 'sha1=' + createHmac('sha1', secret).update(body).digest('hex'),
  'content-type': 'application/json',
});

describe('intercom() (SECONDARY proof: node:crypto from the documented formula)', () => {
  const scheme = intercom();

  it('accepts the documented signature, signs the same value, and reads id and topic from the signed body', async () => {
    const headers = intercomSender(SECRET);
    const outcome = await deliver(scheme, headers, BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({
      id: 'notif_78c122d0-23ba-11e4-9464-79b01267cc2e',
      type: 'conversation.user.created',
      signed: { id: true, type: true, timestamp: false, body: true },
    });
    expect(scheme.sign({ secret: SECRET, body: BODY })['x-hub-signature']).toBe(headers['x-hub-signature']);
  });

  it('refuses a tampered body, the wrong secret and a SHA-256 signature in its place', async () => {
    const headers = intercomSender(SECRET);
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('123', '124'), { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    const sha256 = { 'x-hub-signature': 'sha256=' + createHmac('sha256', SECRET).update(BODY).digest('hex') };
    expect(await reasonOf(deliver(scheme, sha256, BODY, { secrets: SECRET }))).toBe('malformed_signature');
  });

  it('rotates: the old and the new secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, intercomSender(secret), BODY, { secrets: [SECRET, OLD_SECRET] })),
      ).toBe('accepted');
    }
  });

  it('keys replays on the signed body: a replay under fresh unsigned headers is a duplicate', async () => {
    expect(
      await replayWithFreshHeaders(scheme, intercomSender(SECRET), BODY, SECRET, { 'x-request-id': 'fresh' }),
    ).toEqual(['new', 'duplicate']);
  });
});
