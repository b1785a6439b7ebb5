import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { gitea } from './gitea.scheme.js';

// Gitea ships no JavaScript verifier. SECONDARY: the sender is written independently from Gitea's
// documented formula (docs.gitea.com/usage/repository/webhooks):
//   X-Gitea-Signature = hex HMAC-SHA256(webhook secret, raw body)
const SECRET = 'gitea-webhook-secret-0123456789ab';
const OLD_SECRET = 'gitea-previous-secret-9876543210';
const BODY = JSON.stringify({
  ref: 'refs/heads/main',
  after: 'bffeb74224043ba2feb48d137756c8a9331c449a',
  repository: { full_name: 'acme/app' },
});
const giteaSender = (secret: string, raw: string, delivery = 'f6266f16-1bf3-46a5-9ea4-602e06ead473') => ({
  'x-gitea-signature': createHmac('sha256', secret).update(raw).digest('hex'),
  'x-gitea-delivery': delivery,
  'x-gitea-event': 'push',
  'content-type': 'application/json',
});
const verify = (headers: Record<string, string>, raw = BODY, secrets: string | string[] = SECRET) =>
  reasonOf(deliver(gitea(), headers, raw, { secrets }));

describe('gitea()', () => {
  it('accepts a delivery signed per the documented formula (signing the same value); unsigned id and event exposed', async () => {
    const headers = giteaSender(SECRET, BODY);
    expect(gitea().sign({ secret: SECRET, body: BODY })['x-gitea-signature']).toBe(
      headers['x-gitea-signature'],
    );
    const event = eventOf(await deliver(gitea(), headers, BODY, { secrets: SECRET }));
    expect(event).toMatchObject({ id: 'f6266f16-1bf3-46a5-9ea4-602e06ead473', type: 'push' });
    expect(event.signed).toMatchObject({ id: false, type: false });
  });

  it("refuses a tampered body, the wrong secret, and GitHub's sha256= prefixed form", async () => {
    expect(await verify(giteaSender(SECRET, BODY), BODY.replace('main', 'evil'))).toBe('signature_mismatch');
    expect(await verify(giteaSender(OLD_SECRET, BODY))).toBe('signature_mismatch');
    const prefixed = 'sha256=' + giteaSender(SECRET, BODY)['x-gitea-signature'];
    expect(await verify({ 'x-gitea-signature': prefixed })).toBe('malformed_signature');
  });

  it('has no timestamp to check, and accepts the old or the new secret (rotation)', async () => {
    expect(gitea().defaultToleranceMs).toBeUndefined();
    expect(await verify(giteaSender(OLD_SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(giteaSender(SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a replay under a fresh, unsigned X-Gitea-Delivery', async () => {
    expect(
      await replayWithFreshHeaders(gitea(), giteaSender(SECRET, BODY), BODY, SECRET, {
        'x-gitea-delivery': 'fresh-delivery',
      }),
    ).toEqual(['new', 'duplicate']);
  });
});
