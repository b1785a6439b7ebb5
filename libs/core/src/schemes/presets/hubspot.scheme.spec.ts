import { Signature } from '@hubspot/api-client';
import { eventOf, reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { hubspot } from './hubspot.scheme.js';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URL_ = 'https://www.example.com/webhook_uri';
const BODY =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"subscriptionType":"contact.creation","objectId":123}]';
const NOW = 1_700_000_000_000;

/** A delivery signed by the official @hubspot/api-client Signature.getSignature (v3). */
const official = (
  opts: { method?: string; url?: string; body?: string; timestamp?: number; secret?: string } = {},
) => {
  const method = opts.method ?? 'POST';
  const url = opts.url ?? URL_;
  const body = opts.body ?? BODY;
  const timestamp = opts.timestamp ?? NOW;
  const signature = Signature.getSignature(method, 'v3', {
    signature: '', // required by the SDK's options type, unused by getSignature
    clientSecret: opts.secret ?? SECRET,
    requestBody: body,
    url,
    timestamp,
  });
  return {
    headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) },
    rawBody: body,
    url,
    method,
  };
};

describe('hubspot()', () => {
  it('accepts a v3 delivery signed by the official @hubspot/api-client Signature.getSignature', async () => {
    const outcome = await verifyWith(hubspot(), official(), { secrets: SECRET, now: NOW });
    expect(eventOf(outcome).timestamp?.getTime()).toBe(NOW);
    const get = official({ method: 'GET', body: '' });
    expect(await reasonOf(verifyWith(hubspot(), get, { secrets: SECRET, now: NOW }))).toBe('accepted');
  });

  it('signs what the official Signature.isValid accepts', () => {
    const timestamp = Date.now();
    const headers = hubspot().sign({ secret: SECRET, body: BODY, url: URL_, timestamp });
    expect(
      Signature.isValid({
        signature: headers['x-hubspot-signature-v3']!,
        clientSecret: SECRET,
        requestBody: BODY,
        url: URL_,
        method: 'POST',
        signatureVersion: 'v3',
        timestamp,
      }),
    ).toBe(true);
  });

  it('refuses a tampered body, method, URL or timestamp, and the wrong secret', async () => {
    const request = official();
    const verify = (overrides: object, secrets = SECRET) =>
      reasonOf(verifyWith(hubspot(), { ...request, ...overrides }, { secrets, now: NOW }));
    expect(await verify({ rawBody: BODY.replace('123}', '124}') })).toBe('signature_mismatch');
    expect(await verify({ method: 'PUT' })).toBe('signature_mismatch');
    expect(await verify({ url: `${URL_}?x=1` })).toBe('signature_mismatch');
    expect(
      await verify({ headers: { ...request.headers, 'x-hubspot-request-timestamp': String(NOW + 1) } }),
    ).toBe('signature_mismatch');
    expect(await verify({}, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz')).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps (5 minutes both ways)', async () => {
    expect(await reasonOf(verifyWith(hubspot(), official(), { secrets: SECRET, now: NOW + 300_001 }))).toBe(
      'timestamp_expired',
    );
    expect(await reasonOf(verifyWith(hubspot(), official(), { secrets: SECRET, now: NOW - 300_001 }))).toBe(
      'timestamp_in_future',
    );
  });

  it('accepts a URI HubSpot signed with its listed percent-escapes decoded', async () => {
    const signedUrl = 'https://www.example.com/webhook_uri?ids=1,2&email=a@b.c';
    const receivedUrl = 'https://www.example.com/webhook_uri?ids=1%2C2&email=a%40b.c';
    const request = { ...official({ url: signedUrl }), url: receivedUrl };
    expect(await reasonOf(verifyWith(hubspot(), request, { secrets: SECRET, now: NOW }))).toBe('accepted');
  });

  it('needs the public URL and accepts the old or new client secret (rotation)', async () => {
    await expect(
      verifyWith(hubspot(), { ...official(), url: undefined }, { secrets: SECRET, now: NOW }),
    ).rejects.toMatchObject({
      reason: 'missing_public_url',
    });
    expect(
      await reasonOf(
        verifyWith(hubspot(), official(), { secrets: ['new-client-secret-0000', SECRET], now: NOW }),
      ),
    ).toBe('accepted');
  });

  it('refuses a replay of a processed delivery', async () => {
    expect(await secondDeliveryKind(hubspot(), official(), official(), { secrets: SECRET, now: NOW })).toBe(
      'duplicate',
    );
  });
});
