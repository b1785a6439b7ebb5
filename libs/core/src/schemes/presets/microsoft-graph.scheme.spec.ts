import https from 'node:https';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import type { TestSigningKey } from '../../../../../test/support/test-key-server.js';
import { TestKeyServer } from '../../../../../test/support/test-key-server.js';
import type { KeyFetcher } from '../../keys/key-fetcher.js';
import { signGraphValidationToken } from '../../testing/fetched-key-signers.js';
import { deliver, reasonOf, replyOf, secondDeliveryKind, eventOf } from '../../testing/scheme-testing.js';
import { WebhookVerifier } from '../../verify/webhook-verifier.js';
import { GRAPH_CHANGE_NOTIFICATION_PUBLISHER, microsoftGraph } from './microsoft-graph.scheme.js';

const CLIENT_STATE = 'graph-client-state-0123456789abcdef';
const APP_ID = '11111111-2222-4333-8444-555555555555';
const TENANT = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const KID = 'ms-test-kid';

let server: TestKeyServer;
let key: TestSigningKey;
let otherKey: TestSigningKey;
let fetcher: KeyFetcher;
let jwks: { keys: object[] };

beforeAll(async () => {
  server = await TestKeyServer.start();
  key = server.signingKey('login.microsoftonline.com');
  otherKey = server.signingKey('login.microsoftonline.com');
  jwks = { keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', kty: 'RSA' }] };
  server.route('/common/discovery/keys', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(jwks),
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  fetcher = server.fetcher();
});

const notification = (clientState = CLIENT_STATE, extra: object = {}) => ({
  subscriptionId: 'f1a2b3c4-0000-4000-8000-000000000001',
  subscriptionExpirationDateTime: '2026-12-31T00:00:00.000Z',
  changeType: 'created',
  resource: "Users/abc/Messages('xyz')",
  clientState,
  tenantId: TENANT,
  ...extra,
});
const body = (notifications: object[], validationTokens?: string[]) =>
  JSON.stringify({ value: notifications, ...(validationTokens ? { validationTokens } : {}) });
const token = (overrides: Partial<Parameters<typeof signGraphValidationToken>[0]> = {}) =>
  signGraphValidationToken({
    privateKey: key.privateKey,
    kid: KID,
    appId: APP_ID,
    tenantId: TENANT,
    ...overrides,
  });
const rich = () => microsoftGraph({ keys: fetcher, appId: APP_ID });
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('microsoft-graph', () => {
  describe('clientState (basic notifications)', () => {
    it('accepted when every notification of the batch carries the clientState', async () => {
      const outcome = await deliver(microsoftGraph(), JSON_HEADERS, body([notification(), notification()]), {
        secrets: CLIENT_STATE,
      });
      expect(eventOf(outcome).signed).toEqual({ id: false, type: false, timestamp: false, body: false });
    });

    it('refused when one notification of the batch carries another (or none)', async () => {
      expect(
        await reasonOf(
          deliver(microsoftGraph(), JSON_HEADERS, body([notification(), notification('other')]), {
            secrets: CLIENT_STATE,
          }),
        ),
      ).toBe('signature_mismatch');
      const { clientState: _, ...without } = notification();
      expect(
        await reasonOf(
          deliver(microsoftGraph(), JSON_HEADERS, body([notification(), without]), { secrets: CLIENT_STATE }),
        ),
      ).toBe('missing_signature');
    });

    it('wrong secret, rotation, not a collection', async () => {
      const delivery = body([notification()]);
      expect(
        await reasonOf(
          deliver(microsoftGraph(), JSON_HEADERS, delivery, { secrets: 'another-client-state' }),
        ),
      ).toBe('signature_mismatch');
      expect(
        (
          await deliver(microsoftGraph(), JSON_HEADERS, delivery, {
            secrets: ['old-state-0123456789', CLIENT_STATE],
          })
        ).kind,
      ).toBe('new');
      expect(
        await reasonOf(deliver(microsoftGraph(), JSON_HEADERS, '{"value":[]}', { secrets: CLIENT_STATE })),
      ).toBe('malformed_header');
    });

    it('a replay (same body) is a duplicate; the body is not signed, so an edit is a new delivery (documented)', async () => {
      const delivery = body([notification()]);
      expect(
        await secondDeliveryKind(
          microsoftGraph(),
          { headers: JSON_HEADERS, rawBody: delivery },
          { headers: { ...JSON_HEADERS, 'x-fresh': '1' }, rawBody: delivery },
          { secrets: CLIENT_STATE },
        ),
      ).toBe('duplicate');
    });

    it('sign() checks the body carries the secret as clientState', () => {
      expect(microsoftGraph().sign({ secret: CLIENT_STATE, body: body([notification()]) })).toEqual(
        JSON_HEADERS,
      );
      expect(() => microsoftGraph().sign({ secret: 'x', body: body([notification()]) })).toThrow(
        /clientState/,
      );
    });
  });

  it('handshake: ?validationToken is answered 200 text/plain with the token, nosniff, before anything else', async () => {
    const reply = replyOf(
      await deliver(microsoftGraph(), { 'content-type': 'text/plain' }, '', {
        secrets: CLIENT_STATE,
        request: {
          method: 'POST',
          query: { validationToken: 'Validation: Testing client application reachability' },
        },
      }),
    );
    expect(reply).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
      body: 'Validation: Testing client application reachability',
    });
  });

  describe('validationTokens (notifications with resource data) — SECONDARY: jose as the independent verifier', () => {
    it("jose accepts our token with Microsoft's claims; we accept jose's token", async () => {
      const ours = token();
      const { payload } = await jwtVerify(ours, createLocalJWKSet(jwks as never), {
        audience: APP_ID,
        issuer: `https://sts.windows.net/${TENANT}/`,
        algorithms: ['RS256'],
      });
      expect(payload.azp).toBe(GRAPH_CHANGE_NOTIFICATION_PUBLISHER);
      const theirs = await new SignJWT({ azp: GRAPH_CHANGE_NOTIFICATION_PUBLISHER, tid: TENANT })
        .setProtectedHeader({ alg: 'RS256', kid: KID })
        .setIssuer(`https://sts.windows.net/${TENANT}/`)
        .setAudience(APP_ID)
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime('1h')
        .sign(key.privateKey);
      for (const validationToken of [ours, theirs]) {
        expect(
          (
            await deliver(rich(), JSON_HEADERS, body([notification()], [validationToken]), {
              secrets: CLIENT_STATE,
            })
          ).kind,
        ).toBe('new');
      }
      expect(server.requests).toEqual(['login.microsoftonline.com/common/discovery/keys']);
    });

    it.each([
      ['another key', () => token({ privateKey: otherKey.privateKey }), 'signature_mismatch', 1],
      [
        'another audience',
        () => token({ appId: '99999999-2222-4333-8444-555555555555' }),
        'signature_mismatch',
        0,
      ],
      [
        'another azp',
        () => token({ claims: { azp: 'ffffffff-2222-4333-8444-555555555555' } }),
        'signature_mismatch',
        0,
      ],
      [
        'a foreign issuer',
        () => token({ claims: { iss: 'https://evil.example.com/' } }),
        'signature_mismatch',
        0,
      ],
      ['an expired token', () => token({ issuedAt: Date.now() - 3 * 60 * 60_000 }), 'timestamp_expired', 0],
      ['a future token', () => token({ issuedAt: Date.now() + 30 * 60_000 }), 'timestamp_in_future', 0],
    ] as const)(
      '%s is refused (%s), fetching only after every cheap check',
      async (_what, make, reason, fetches) => {
        const delivery = body([notification()], [make()]);
        expect(await reasonOf(deliver(rich(), JSON_HEADERS, delivery, { secrets: CLIENT_STATE }))).toBe(
          reason,
        );
        expect(server.requests).toHaveLength(fetches);
      },
    );

    it('a wrong clientState costs no key fetch, even with valid tokens', async () => {
      const requestSpy = vi.spyOn(https, 'request');
      try {
        const delivery = body([notification('forged')], [token()]);
        expect(await reasonOf(deliver(rich(), JSON_HEADERS, delivery, { secrets: CLIENT_STATE }))).toBe(
          'signature_mismatch',
        );
        expect(requestSpy).not.toHaveBeenCalled();
      } finally {
        requestSpy.mockRestore();
      }
    });

    it('tokens without a configured appId are refused, not ignored', async () => {
      const delivery = body([notification()], [token()]);
      expect(
        await reasonOf(
          deliver(microsoftGraph({ keys: fetcher }), JSON_HEADERS, delivery, { secrets: CLIENT_STATE }),
        ),
      ).toBe('signature_mismatch');
      expect(server.requests).toEqual([]);
    });

    it('with an appId, tokens are required (not strippable) unless requireValidationTokens is false', async () => {
      const basic = body([notification()]);
      expect(await reasonOf(deliver(rich(), JSON_HEADERS, basic, { secrets: CLIENT_STATE }))).toBe(
        'missing_signature',
      );
      const both = microsoftGraph({ keys: fetcher, appId: APP_ID, requireValidationTokens: false });
      expect((await deliver(both, JSON_HEADERS, basic, { secrets: CLIENT_STATE })).kind).toBe('new');
    });

    it('a tenant list restricts the issuer', async () => {
      const delivery = body([notification()], [token()]);
      const scheme = microsoftGraph({
        keys: fetcher,
        appId: APP_ID,
        tenantId: '00000000-0000-4000-8000-000000000000',
      });
      expect(await reasonOf(deliver(scheme, JSON_HEADERS, delivery, { secrets: CLIENT_STATE }))).toBe(
        'signature_mismatch',
      );
    });

    it('one key fetch for N notifications', async () => {
      const verifier = new WebhookVerifier({ scheme: rich(), secrets: CLIENT_STATE, replayStore: false });
      for (let i = 0; i < 5; i++) {
        const delivery = body([notification(CLIENT_STATE, { resource: `r${i}` })], [token()]);
        expect((await verifier.receive({ headers: JSON_HEADERS, rawBody: Buffer.from(delivery) })).kind).toBe(
          'new',
        );
      }
      expect(server.requests).toEqual(['login.microsoftonline.com/common/discovery/keys']);
    });
  });
});
