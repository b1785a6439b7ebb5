import { createHmac } from 'node:crypto';
import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { WebhookVerifier } from '../../verify/webhook-verifier.js';
import { trello } from './trello.scheme.js';

const SECRET = 'trello-oauth-secret-0123456789abcdef';
const URL_ = 'https://hooks.example.com/trello/board-1';
const BODY = '{"action":{"id":"a1","type":"updateCard"},"model":{"id":"b1"}}';
// Independent computation of the documented formula: base64 HMAC-SHA1(secret, body + callbackURL).
const reference = (body = BODY, url = URL_, secret = SECRET) =>
  createHmac('sha1', secret)
    .update(body + url)
    .digest('base64');
const request = (body = BODY, url: string | undefined = URL_) => ({
  headers: { 'x-trello-webhook': reference() },
  rawBody: body,
  url,
});

describe('trello() (SECONDARY; no official signer or verifier: checked against node:crypto)', () => {
  it('accepts base64 HMAC-SHA1(secret, body + callbackURL) computed with node:crypto', async () => {
    expect(await reasonOf(verifyWith(trello(), request(), { secrets: SECRET }))).toBe('accepted');
    expect(
      await reasonOf(
        verifyWith(trello({ callbackUrl: URL_ }), { ...request(), url: undefined }, { secrets: SECRET }),
      ),
    ).toBe('accepted');
    expect(trello().sign({ secret: SECRET, body: BODY, url: URL_ })['x-trello-webhook']).toBe(reference());
  });

  it('refuses a tampered body, another callback URL and the wrong secret', async () => {
    expect(await reasonOf(verifyWith(trello(), request(BODY.replace('a1', 'a2')), { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(verifyWith(trello(), request(BODY, `${URL_}x`), { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(verifyWith(trello(), request(), { secrets: 'other-trello-secret-000' }))).toBe(
      'signature_mismatch',
    );
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(
      await reasonOf(verifyWith(trello(), request(), { secrets: ['new-trello-secret-0000', SECRET] })),
    ).toBe('accepted');
  });

  it('answers the HEAD registration check with 200 and nothing else unsigned', async () => {
    const verifier = new WebhookVerifier({ scheme: trello(), secrets: SECRET, replayStore: false });
    expect(
      await verifier.receive({ method: 'HEAD', headers: {}, rawBody: Buffer.alloc(0), url: URL_ }),
    ).toEqual({
      kind: 'handshake',
      reply: { status: 200 },
    });
    expect(
      await reasonOf(verifier.receive({ method: 'GET', headers: {}, rawBody: Buffer.alloc(0), url: URL_ })),
    ).toBe('missing_signature');
  });

  it('refuses a replay of a processed delivery', async () => {
    expect(await secondDeliveryKind(trello(), request(), request(), { secrets: SECRET })).toBe('duplicate');
  });
});
