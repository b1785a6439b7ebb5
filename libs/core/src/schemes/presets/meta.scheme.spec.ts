import { createHmac } from 'node:crypto';
import {
  deliver,
  eventOf,
  reasonAndStatusOf,
  reasonOf,
  replayWithFreshHeaders,
  replyOf,
} from '../../testing/scheme-testing.js';
import { WebhookVerifier } from '../../verify/webhook-verifier.js';
import { meta } from './meta.scheme.js';

const APP_SECRET = 'meta-app-secret-0123456789abcdef';
const OLD_APP_SECRET = 'meta-previous-app-secret-98765432';
const VERIFY_TOKEN = 'my-verify-token-0123';
const BODY = JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [
    { id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp' } }] },
  ],
});
// Meta has no official Node verifier: an independent computation of the documented formula
// (developers.facebook.com/docs/graph-api/webhooks/getting-started): `sha256=` + hex HMAC-SHA256(App Secret, body).
const metaSender = (secret: string, body = BODY) => ({
  'x-hub-signature-256': 'sha256=' + createHmac('sha256', secret).update(body).digest('hex'),
  'content-type': 'application/json',
});

describe('meta() (SECONDARY proof: no official verifier; node:crypto from the documented formula)', () => {
  const scheme = meta({ verifyToken: VERIFY_TOKEN });

  it('accepts the documented signature, signs the same value, and reads the type from the body', async () => {
    const headers = metaSender(APP_SECRET);
    const outcome = await deliver(scheme, headers, BODY, { secrets: APP_SECRET });
    expect(eventOf(outcome)).toMatchObject({ type: 'whatsapp_business_account', scheme: 'meta' });
    expect(scheme.sign({ secret: APP_SECRET, body: BODY })['x-hub-signature-256']).toBe(
      headers['x-hub-signature-256'],
    );
  });

  it('refuses a tampered body, the wrong secret, and a legacy SHA-1 signature alone', async () => {
    const headers = metaSender(APP_SECRET);
    expect(
      await reasonOf(deliver(scheme, headers, BODY.replace('messages', 'statuses'), { secrets: APP_SECRET })),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_APP_SECRET }))).toBe(
      'signature_mismatch',
    );
    const sha1 = { 'x-hub-signature': 'sha1=' + createHmac('sha1', APP_SECRET).update(BODY).digest('hex') };
    expect(await reasonOf(deliver(scheme, sha1, BODY, { secrets: APP_SECRET }))).toBe('missing_signature');
  });

  it('rotates: the old and the new App Secret are both accepted', async () => {
    for (const secret of [APP_SECRET, OLD_APP_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, metaSender(secret), BODY, { secrets: [APP_SECRET, OLD_APP_SECRET] })),
      ).toBe('accepted');
    }
  });

  it('keys replays on the signed body: a replay under fresh unsigned headers is a duplicate', async () => {
    expect(
      await replayWithFreshHeaders(scheme, metaSender(APP_SECRET), BODY, APP_SECRET, {
        'x-fb-trace-id': 'fresh',
      }),
    ).toEqual(['new', 'duplicate']);
  });

  describe('the GET hub.challenge verification', () => {
    const check = (scheme: ReturnType<typeof meta>, query: Record<string, string>, method = 'GET') =>
      new WebhookVerifier({ scheme, secrets: APP_SECRET, replayStore: false }).receive({
        method,
        headers: {},
        rawBody: Buffer.alloc(0),
        query,
      });
    const subscribe = (token: string, challenge = '1158201444') => ({
      'hub.mode': 'subscribe',
      'hub.challenge': challenge,
      'hub.verify_token': token,
    });

    it('echoes hub.challenge as text/plain when hub.verify_token matches a configured token', async () => {
      expect(replyOf(await check(scheme, subscribe(VERIFY_TOKEN)))).toEqual({
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
        body: '1158201444',
      });
      const rotating = meta({ verifyToken: ['new-verify-token-0456', VERIFY_TOKEN] });
      expect(replyOf(await check(rotating, subscribe(VERIFY_TOKEN))).body).toBe('1158201444');
      expect(replyOf(await check(rotating, subscribe('new-verify-token-0456'))).body).toBe('1158201444');
    });

    it('refuses a wrong, a shorter or a missing verify token with 401, and never echoes', async () => {
      expect(await reasonAndStatusOf(check(scheme, subscribe('wrong-token')))).toBe('signature_mismatch/401');
      expect(await reasonAndStatusOf(check(scheme, subscribe(VERIFY_TOKEN.slice(0, -1))))).toBe(
        'signature_mismatch/401',
      );
      const { 'hub.verify_token': _dropped, ...noToken } = subscribe(VERIFY_TOKEN);
      expect(await reasonAndStatusOf(check(scheme, noToken))).toBe('signature_mismatch/401');
      expect(
        await reasonAndStatusOf(check(scheme, { ...subscribe(VERIFY_TOKEN), 'hub.challenge': '' })),
      ).toBe('malformed_header/400');
    });

    it('refuses every check when no verify token is configured (the registry preset)', async () => {
      await expect(check(meta(), subscribe(VERIFY_TOKEN))).rejects.toThrow(/meta\(\{ verifyToken \}\)/);
      expect(await reasonOf(check(meta(), subscribe('')))).toBe('signature_mismatch');
    });

    it('leaves other requests to signature verification', async () => {
      expect(await reasonOf(check(scheme, { 'hub.mode': 'unsubscribe' }))).toBe('missing_signature');
      expect(await reasonOf(check(scheme, subscribe(VERIFY_TOKEN), 'POST'))).toBe('missing_signature');
    });

    it('refuses an unusable verify token when built', () => {
      expect(() => meta({ verifyToken: ' padded ' })).toThrow(/stray whitespace/);
      expect(() => meta({ verifyToken: '' })).toThrow(/empty/);
    });
  });
});
