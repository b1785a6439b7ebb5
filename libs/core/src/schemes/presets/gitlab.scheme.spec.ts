import { eventOf, reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { gitlab } from './gitlab.scheme.js';

const TOKEN = 'glpat-style-secret-token-0123456789';
const BODY = '{"object_kind":"push","ref":"refs/heads/main"}';
const request = (token: string, idempotencyKey = 'idem-1') => ({
  headers: { 'x-gitlab-token': token, 'x-gitlab-event': 'Push Hook', 'idempotency-key': idempotencyKey },
  rawBody: BODY,
});

describe('gitlab() (shared bearer token; no signer exists: checked against the documented verbatim token)', () => {
  it('accepts the configured token sent verbatim and reports the unsigned event headers', async () => {
    const outcome = await verifyWith(gitlab(), request(TOKEN), { secrets: TOKEN });
    expect(eventOf(outcome)).toMatchObject({ id: 'idem-1', type: 'Push Hook', scheme: 'gitlab' });
    expect(gitlab().signs).toEqual({ id: false, timestamp: false, type: false, body: false });
  });

  it('refuses another token, a prefix of it, a longer one, and none', async () => {
    expect(
      await reasonOf(verifyWith(gitlab(), request('another-token-0123456789abc'), { secrets: TOKEN })),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(gitlab(), request(TOKEN.slice(0, -1)), { secrets: TOKEN }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(verifyWith(gitlab(), request(`${TOKEN}x`), { secrets: TOKEN }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(verifyWith(gitlab(), { headers: {}, rawBody: BODY }, { secrets: TOKEN }))).toBe(
      'missing_signature',
    );
  });

  it('accepts the old or the new token (rotation)', async () => {
    expect(
      await reasonOf(
        verifyWith(gitlab(), request(TOKEN), { secrets: ['new-gitlab-token-0123456789', TOKEN] }),
      ),
    ).toBe('accepted');
    expect(
      await reasonOf(
        verifyWith(gitlab(), request('new-gitlab-token-0123456789'), {
          secrets: ['new-gitlab-token-0123456789', TOKEN],
        }),
      ),
    ).toBe('accepted');
  });

  it('refuses a replay under a fresh (unsigned) Idempotency-Key', async () => {
    expect(
      await secondDeliveryKind(gitlab(), request(TOKEN, 'idem-1'), request(TOKEN, 'idem-2'), {
        secrets: TOKEN,
      }),
    ).toBe('duplicate');
  });
});
