import { createHmac } from 'node:crypto';
import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { WebhookVerifier } from '../../verify/webhook-verifier.js';
import { dropbox } from './dropbox.scheme.js';

const SECRET = 'dropbox-app-secret-0123456789abc';
const BODY =
  '{"list_folder":{"accounts":["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]},"delta":{"users":[12345]}}';
// Independent computation of the documented formula: hex HMAC-SHA256(app secret, body).
const reference = (body = BODY, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const request = (signature = reference(), body = BODY) => ({
  headers: { 'x-dropbox-signature': signature },
  rawBody: body,
});

describe('dropbox() (SECONDARY; no official signer or verifier: checked against node:crypto)', () => {
  it('accepts hex HMAC-SHA256(app secret, body) computed with node:crypto', async () => {
    expect(await reasonOf(verifyWith(dropbox(), request(), { secrets: SECRET }))).toBe('accepted');
  });

  it('refuses a tampered body and the wrong secret', async () => {
    expect(
      await reasonOf(
        verifyWith(dropbox(), request(reference(), BODY.replace('12345', '12346')), { secrets: SECRET }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(dropbox(), request(), { secrets: 'other-dropbox-secret-0' }))).toBe(
      'signature_mismatch',
    );
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(
      await reasonOf(verifyWith(dropbox(), request(), { secrets: ['new-dropbox-secret-00', SECRET] })),
    ).toBe('accepted');
  });

  it('echoes GET ?challenge= as text/plain with nosniff, and nothing else unsigned', async () => {
    const verifier = new WebhookVerifier({ scheme: dropbox(), secrets: SECRET, replayStore: false });
    const get = (query: Record<string, string>, method = 'GET') =>
      verifier.receive({ method, headers: {}, rawBody: Buffer.alloc(0), query });
    expect(await get({ challenge: 'abc<script>' })).toEqual({
      kind: 'handshake',
      reply: {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
        body: 'abc<script>',
      },
    });
    expect(await reasonOf(get({}))).toBe('missing_signature');
    expect(await reasonOf(get({ challenge: 'x' }, 'POST'))).toBe('missing_signature');
    expect(await reasonOf(get({ challenge: 'x'.repeat(2000) }))).toBe('missing_signature');
  });

  it('refuses a replay of a processed notification', async () => {
    expect(await secondDeliveryKind(dropbox(), request(), request(), { secrets: SECRET })).toBe('duplicate');
  });
});
