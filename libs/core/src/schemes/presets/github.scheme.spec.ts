import { createHmac } from 'node:crypto';
import { sign, verify } from '@octokit/webhooks-methods';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { github } from './github.scheme.js';

// Published vector: GitHub docs "Validating webhook deliveries" (PROVIDERS.md §4).
const DOCS = {
  secret: "It's a Secret to Everybody",
  payload: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};
const SECRET = 'a-github-webhook-secret-0123456789';
const OLD_SECRET = 'the-previous-github-secret-98765';
const BODY = JSON.stringify({ action: 'opened', number: 7 });
const delivery = (signature: string, id = 'c0ffee00-0000-4000-8000-000000000001') => ({
  'x-hub-signature-256': signature,
  'x-github-delivery': id,
  'x-github-event': 'pull_request',
});

describe('github()', () => {
  const scheme = github();

  it('accepts the GitHub docs vector', async () => {
    const outcome = await deliver(scheme, delivery(DOCS.signature), DOCS.payload, { secrets: DOCS.secret });
    expect(eventOf(outcome)).toMatchObject({
      id: 'c0ffee00-0000-4000-8000-000000000001',
      type: 'pull_request',
      scheme: 'github',
      // GitHub signs the body only: its delivery id and event name headers can be swapped on a replay.
      signed: { id: false, type: false, timestamp: false, body: true },
    });
  });

  it('accepts a signature from the official @octokit/webhooks-methods sign(), and verify() accepts ours', async () => {
    const signature = await sign(SECRET, BODY);
    expect(await reasonOf(deliver(scheme, delivery(signature), BODY, { secrets: SECRET }))).toBe('accepted');
    const ours = scheme.sign({ secret: SECRET, body: BODY });
    expect(await verify(SECRET, BODY, ours['x-hub-signature-256']!)).toBe(true);
  });

  it('refuses a tampered body and the wrong secret', async () => {
    const signature = await sign(SECRET, BODY);
    expect(await reasonOf(deliver(scheme, delivery(signature), BODY + ' ', { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, delivery(signature), BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
  });

  it('rotates: a delivery signed with the old or the new secret is accepted', async () => {
    const secrets = [SECRET, OLD_SECRET];
    expect(await reasonOf(deliver(scheme, delivery(await sign(OLD_SECRET, BODY)), BODY, { secrets }))).toBe(
      'accepted',
    );
    expect(await reasonOf(deliver(scheme, delivery(await sign(SECRET, BODY)), BODY, { secrets }))).toBe(
      'accepted',
    );
  });

  it('treats X-GitHub-Delivery as unsigned: a replay under a fresh delivery id is a duplicate', async () => {
    expect(scheme.signs).toEqual({ id: false, timestamp: false, type: false });
    const signature = await sign(SECRET, BODY);
    expect(
      await replayWithFreshHeaders(scheme, delivery(signature), BODY, SECRET, {
        'x-github-delivery': 'c0ffee00-0000-4000-8000-00000000ffff',
        'x-github-event': 'push',
      }),
    ).toEqual(['new', 'duplicate']);
  });

  it('ignores the legacy SHA-1 header unless legacySha1 is set', async () => {
    const sha1 = 'sha1=' + createHmac('sha1', SECRET).update(BODY).digest('hex');
    const legacyOnly = { 'x-hub-signature': sha1, 'x-github-delivery': 'd-1', 'x-github-event': 'push' };
    expect(await reasonOf(deliver(scheme, legacyOnly, BODY, { secrets: SECRET }))).toBe('missing_signature');
    const legacy = github({ legacySha1: true });
    expect(await reasonOf(deliver(legacy, legacyOnly, BODY, { secrets: SECRET }))).toBe('accepted');
    expect(await reasonOf(deliver(legacy, legacyOnly, BODY + 'x', { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    // With both headers only SHA-256 counts: a valid SHA-1 cannot rescue a bad SHA-256.
    const bad256 = { ...legacyOnly, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };
    expect(await reasonOf(deliver(legacy, bad256, BODY, { secrets: SECRET }))).toBe('signature_mismatch');
    const signed = legacy.sign({ secret: SECRET, body: BODY });
    expect(signed['x-hub-signature']).toBe(sha1);
    expect(await verify(SECRET, BODY, signed['x-hub-signature-256']!)).toBe(true);
  });

  it('answers missing and malformed signatures with clear reasons', async () => {
    expect(await reasonOf(deliver(scheme, { 'x-github-event': 'push' }, BODY, { secrets: SECRET }))).toBe(
      'missing_signature',
    );
    const sha1Prefixed = 'sha1=' + createHmac('sha256', SECRET).update(BODY).digest('hex');
    expect(await reasonOf(deliver(scheme, delivery(sha1Prefixed), BODY, { secrets: SECRET }))).toBe(
      'malformed_signature',
    );
    expect(await reasonOf(deliver(scheme, delivery('sha256=xyz'), BODY, { secrets: SECRET }))).toBe(
      'malformed_signature',
    );
  });
});
