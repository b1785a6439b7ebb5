import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { jira } from './jira.scheme.js';

const SECRET = 'jira-admin-webhook-secret-012345';
const OLD_SECRET = 'jira-previous-webhook-secret-987';
const BODY = JSON.stringify({
  timestamp: 1_763_800_000_000,
  webhookEvent: 'jira:issue_created',
  issue_event_type_name: 'issue_created',
  issue: { id: '10001', key: 'TEST-1', fields: { summary: 'A bug' } },
});
// No official signer or verifier: an independent computation of the documented formula (Atlassian's
// webhook docs, "Secure admin webhooks"): `sha256=` + hex HMAC-SHA256(secret, body) in X-Hub-Signature.
const jiraSender = (secret: string, body = BODY, id = '1763800000000-issue-10001') => ({
  'x-hub-signature': 'sha256=' + createHmac('sha256', secret).update(body).digest('hex'),
  'x-atlassian-webhook-identifier': id,
  'content-type': 'application/json',
});

describe('jira() (SECONDARY proof: node:crypto from the documented formula)', () => {
  const scheme = jira();

  it('accepts the documented signature, signs the same value, and reads webhookEvent from the signed body', async () => {
    const headers = jiraSender(SECRET);
    const outcome = await deliver(scheme, headers, BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({
      id: '1763800000000-issue-10001',
      type: 'jira:issue_created',
      signed: { id: false, type: true, timestamp: false, body: true },
    });
    expect(scheme.sign({ secret: SECRET, body: BODY })['x-hub-signature']).toBe(headers['x-hub-signature']);
  });

  it('refuses a tampered body, the wrong secret and an unsigned delivery (Connect / OAuth JWT webhooks)', async () => {
    const headers = jiraSender(SECRET);
    expect(
      await reasonOf(deliver(scheme, headers, BODY.replace('A bug', 'A feature'), { secrets: SECRET })),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(
      await reasonOf(deliver(scheme, { authorization: 'JWT abc.def.ghi' }, BODY, { secrets: SECRET })),
    ).toBe('missing_signature');
  });

  it('rotates: the old and the new secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, jiraSender(secret), BODY, { secrets: [SECRET, OLD_SECRET] })),
      ).toBe('accepted');
    }
  });

  it('treats X-Atlassian-Webhook-Identifier as unsigned: a replay under a fresh one is a duplicate', async () => {
    expect(
      await replayWithFreshHeaders(scheme, jiraSender(SECRET), BODY, SECRET, {
        'x-atlassian-webhook-identifier': 'forged-fresh-id',
      }),
    ).toEqual(['new', 'duplicate']);
  });
});
