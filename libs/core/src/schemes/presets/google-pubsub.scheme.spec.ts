import https from 'node:https';
import { OAuth2Client } from 'google-auth-library';
import type { TestSigningKey } from '../../../../../test/support/test-key-server.js';
import { TestKeyServer } from '../../../../../test/support/test-key-server.js';
import type { KeyFetcher } from '../../keys/key-fetcher.js';
import { signPubSubPush } from '../../testing/fetched-key-signers.js';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { WebhookVerifier } from '../../verify/webhook-verifier.js';
import { googlePubSub } from './google-pubsub.scheme.js';

const AUDIENCE = 'https://hooks.example.com/pubsub';
const EMAIL = 'push-invoker@test-project.iam.gserviceaccount.com';
const KID = 'test-kid-1';
const ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

let server: TestKeyServer;
let key: TestSigningKey;
let otherKey: TestSigningKey;
let fetcher: KeyFetcher;

beforeAll(async () => {
  server = await TestKeyServer.start();
  key = server.signingKey('accounts.google.com');
  otherKey = server.signingKey('accounts.google.com');
  server.route('/oauth2/v1/certs', {
    headers: {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=19800, must-revalidate',
    },
    body: JSON.stringify({ [KID]: key.certificatePem }),
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  fetcher = server.fetcher();
});

const push = (overrides: Partial<Parameters<typeof signPubSubPush>[0]> = {}) =>
  signPubSubPush({
    privateKey: key.privateKey,
    kid: KID,
    audience: AUDIENCE,
    email: EMAIL,
    data: '{"order":1}',
    ...overrides,
  });
const scheme = () => googlePubSub({ keys: fetcher });
const request = { url: AUDIENCE };
const tokenOf = (headers: Record<string, string>) => headers.authorization!.slice('Bearer '.length);

/** google-auth-library's certificate-based check, with the test certificate as Google's. */
async function googleAccepts(token: string, audience = AUDIENCE): Promise<true | string> {
  try {
    const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(
      token,
      { [KID]: key.certificatePem },
      audience,
      ISSUERS,
    );
    const payload = ticket.getPayload();
    return payload?.email === EMAIL && payload.email_verified === true ? true : 'wrong email';
  } catch (error) {
    return (error as Error).message.split(':')[0]!;
  }
}

describe('google-pubsub', () => {
  describe("proof: google-auth-library's verifySignedJwtWithCertsAsync and we agree", () => {
    it('accepts a push token we sign, and so do we', async () => {
      const { headers, body } = push();
      expect(await googleAccepts(tokenOf(headers))).toBe(true);
      expect((await deliver(scheme(), headers, body, { secrets: EMAIL, request })).kind).toBe('new');
    });

    it('a token signed by another key, for another audience, or expired: refused by both', async () => {
      const wrongKey = push({ privateKey: otherKey.privateKey });
      expect(await googleAccepts(tokenOf(wrongKey.headers))).toBe('Invalid token signature');
      expect(
        await reasonOf(deliver(scheme(), wrongKey.headers, wrongKey.body, { secrets: EMAIL, request })),
      ).toBe('signature_mismatch');
      const otherAudience = push({ audience: 'https://other.example.com/' });
      expect(await googleAccepts(tokenOf(otherAudience.headers))).toBe(
        'Wrong recipient, payload audience != requiredAudience',
      );
      expect(
        await reasonOf(
          deliver(scheme(), otherAudience.headers, otherAudience.body, { secrets: EMAIL, request }),
        ),
      ).toBe('signature_mismatch');
      const expired = push({ issuedAt: Date.now() - 2 * 60 * 60_000 });
      expect(await googleAccepts(tokenOf(expired.headers))).toMatch(/^Token used too late/);
      expect(
        await reasonOf(deliver(scheme(), expired.headers, expired.body, { secrets: EMAIL, request })),
      ).toBe('timestamp_expired');
    });

    it('an issuer other than Google: refused by both', async () => {
      const { headers, body } = push({ claims: { iss: 'https://evil.example.com' } });
      expect(await googleAccepts(tokenOf(headers))).toMatch(/^Invalid issuer/);
      expect(await reasonOf(deliver(scheme(), headers, body, { secrets: EMAIL, request }))).toBe(
        'signature_mismatch',
      );
    });
  });

  it('the event: messageId as id (unsigned), iat as the timestamp, the envelope as payload', async () => {
    const { headers, body } = push({ messageId: '1234567890', data: 'hello' });
    const event = eventOf(await deliver(scheme(), headers, body, { secrets: EMAIL, request }));
    expect(event.id).toBe('1234567890');
    expect(event.signed).toEqual({ id: false, type: false, timestamp: true, body: false });
    const payload = event.payload as { message: { data: string } };
    expect(Buffer.from(payload.message.data, 'base64').toString()).toBe('hello');
  });

  it('the audience is the public URL by default; without one it is a configuration error', async () => {
    const { headers, body } = push();
    expect(await reasonOf(deliver(scheme(), headers, body, { secrets: EMAIL }))).toBe('missing_public_url');
    const fixed = googlePubSub({ keys: fetcher, audience: [AUDIENCE] });
    expect((await deliver(fixed, headers, body, { secrets: EMAIL })).kind).toBe('new');
  });

  describe('refusals before any fetch', () => {
    it.each([
      ['another service account', { email: 'someone@evil.iam.gserviceaccount.com' }, 'signature_mismatch'],
      ['email_verified false', { claims: { email_verified: false } }, 'signature_mismatch'],
      ['a future iat', { issuedAt: Date.now() + 10 * 60_000 }, 'timestamp_in_future'],
      ['a stale token', { issuedAt: Date.now() - 3 * 60 * 60_000 }, 'timestamp_expired'],
      [
        'a lifetime over a day',
        { claims: { exp: Math.floor(Date.now() / 1000) + 2 * 86_400 } },
        'timestamp_in_future',
      ],
      ['alg none', { claims: {} }, 'malformed_signature'],
    ] as const)('%s', async (what, overrides, reason) => {
      const delivery = push(overrides);
      let headers = delivery.headers;
      const body = delivery.body;
      if (what === 'alg none') {
        const [, payload] = tokenOf(headers).split('.');
        const none = Buffer.from('{"alg":"none","kid":"test-kid-1"}').toString('base64url');
        headers = { ...headers, authorization: `Bearer ${none}.${payload}.${'A'.repeat(342)}` };
      }
      expect(await reasonOf(deliver(scheme(), headers, body, { secrets: EMAIL, request }))).toBe(reason);
      expect(server.requests).toEqual([]);
    });

    it('a tampered body is accepted: the token does not sign it (documented), but the envelope must be one', async () => {
      const { headers, body } = push();
      const tampered = body.replace('eyJvcmRlciI6MX0=', 'eyJvcmRlciI6Mn0=');
      expect(tampered).not.toBe(body);
      expect((await deliver(scheme(), headers, tampered, { secrets: EMAIL, request })).kind).toBe('new');
      expect(
        await reasonOf(deliver(scheme(), headers, '{"not":"an envelope"}', { secrets: EMAIL, request })),
      ).toBe('malformed_header');
    });

    it('a missing or malformed Authorization header', async () => {
      const { body } = push();
      expect(await reasonOf(deliver(scheme(), {}, body, { secrets: EMAIL, request }))).toBe(
        'missing_signature',
      );
      expect(
        await reasonOf(deliver(scheme(), { authorization: 'Basic abc' }, body, { secrets: EMAIL, request })),
      ).toBe('malformed_signature');
      expect(server.requests).toEqual([]);
    });
  });

  it('a replay: the same messageId is a duplicate, also under a fresh token', async () => {
    const first = push({ messageId: '42' });
    const again = push({ messageId: '42' });
    expect(
      await secondDeliveryKind(
        scheme(),
        { headers: first.headers, rawBody: first.body, url: AUDIENCE },
        { headers: again.headers, rawBody: again.body, url: AUDIENCE },
        { secrets: EMAIL },
      ),
    ).toBe('duplicate');
  });

  it('rotation: any listed service account; an unknown key id refetches at most once a minute', async () => {
    const { headers, body } = push();
    expect(
      (await deliver(scheme(), headers, body, { secrets: ['old@p.iam.gserviceaccount.com', EMAIL], request }))
        .kind,
    ).toBe('new');
    const unknownKid = push({ kid: 'rotated-away' });
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(
        await reasonOf(deliver(scheme(), unknownKid.headers, unknownKid.body, { secrets: EMAIL, request })),
      ).toBe('signature_mismatch');
    }
    expect(server.requests).toEqual(['www.googleapis.com/oauth2/v1/certs']);
  });

  it('one certificate fetch for N pushes (max-age honoured), concurrent ones coalesced', async () => {
    const verifier = new WebhookVerifier({ scheme: scheme(), secrets: EMAIL, replayStore: false });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => push()).map(({ headers, body }) =>
        verifier.receive({ headers, rawBody: Buffer.from(body), url: AUDIENCE }),
      ),
    );
    expect(outcomes.every((outcome) => outcome.kind === 'new')).toBe(true);
    expect(server.requests).toEqual(['www.googleapis.com/oauth2/v1/certs']);
  });

  it('a forged Pub/Sub request makes 0 outbound requests', async () => {
    const requestSpy = vi.spyOn(https, 'request');
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const verifier = new WebhookVerifier({
        scheme: googlePubSub({ audience: AUDIENCE }),
        secrets: EMAIL,
        replayStore: false,
      });
      const forgeries = [
        push({ email: 'attacker@evil.iam.gserviceaccount.com' }),
        push({ audience: 'https://attacker.example/' }),
        push({ claims: { iss: 'https://attacker.example' } }),
        push({ issuedAt: Date.now() - 3 * 60 * 60_000 }),
        { headers: { authorization: 'Bearer x.y.z' }, body: '{}' },
      ];
      for (const { headers, body } of forgeries) {
        await expect(verifier.receive({ headers, rawBody: Buffer.from(body) })).rejects.toMatchObject({
          status: expect.any(Number),
        });
      }
      expect(requestSpy).not.toHaveBeenCalled();
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      requestSpy.mockRestore();
      fetchSpy.mockRestore();
    }
  });

  it('a service account email that is not one is a boot error', () => {
    expect(() => googlePubSub().importKey('not an email')).toThrow(/service account/);
  });
});
