import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { bitbucket } from './bitbucket.scheme.js';

const SECRET = 'bitbucket-webhook-secret-01234567';
const OLD_SECRET = 'bitbucket-previous-secret-7654321';
const BODY = JSON.stringify({
  push: { changes: [{ new: { name: 'main', type: 'branch' } }] },
  repository: { full_name: 'team/repo' },
});
// No official signer or verifier: an independent computation of the documented formula
// (Atlassian's Bitbucket webhook docs): `sha256=` + hex HMAC-SHA256(secret, body) in X-Hub-Signature.
const bitbucketSender = (secret: string, body = BODY, id = '3a1c1f0e-6b1e-4b2a-9c5d-2f8e4a7b9c10') => ({
  'x-hub-signature': 'sha256=' + createHmac('sha256', secret).update(body).digest('hex'),
  'x-event-key': 'repo:push',
  'x-request-uuid': id,
  'content-type': 'application/json',
});

describe('bitbucket() (SECONDARY proof: node:crypto from the documented formula)', () => {
  const scheme = bitbucket();

  it('accepts the documented signature, signs the same value, and reports the unsigned id and event key', async () => {
    const headers = bitbucketSender(SECRET);
    const outcome = await deliver(scheme, headers, BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({
      id: '3a1c1f0e-6b1e-4b2a-9c5d-2f8e4a7b9c10',
      type: 'repo:push',
      signed: { id: false, type: false, timestamp: false, body: true },
    });
    expect(scheme.sign({ secret: SECRET, body: BODY })['x-hub-signature']).toBe(headers['x-hub-signature']);
  });

  it("reads Data Center's X-Request-Id when X-Request-UUID is absent", async () => {
    const { 'x-request-uuid': _cloud, ...headers } = bitbucketSender(SECRET);
    const outcome = await deliver(scheme, { ...headers, 'x-request-id': 'dc-request-1' }, BODY, {
      secrets: SECRET,
    });
    expect(eventOf(outcome).id).toBe('dc-request-1');
  });

  it('refuses a tampered body, the wrong secret and a GitHub-style sha1 signature', async () => {
    const headers = bitbucketSender(SECRET);
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('main', 'dev'), { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    const sha1 = { 'x-hub-signature': 'sha1=' + createHmac('sha1', SECRET).update(BODY).digest('hex') };
    expect(await reasonOf(deliver(scheme, sha1, BODY, { secrets: SECRET }))).toBe('malformed_signature');
  });

  it('rotates: the old and the new secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, bitbucketSender(secret), BODY, { secrets: [SECRET, OLD_SECRET] })),
      ).toBe('accepted');
    }
  });

  it('treats X-Request-UUID as unsigned: a replay under a fresh one is a duplicate', async () => {
    expect(
      await replayWithFreshHeaders(scheme, bitbucketSender(SECRET), BODY, SECRET, {
        'x-request-uuid': '00000000-0000-4000-8000-000000000001',
        'x-event-key': 'repo:fork',
      }),
    ).toEqual(['new', 'duplicate']);
  });
});
