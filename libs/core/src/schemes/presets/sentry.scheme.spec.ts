import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { sentry } from './sentry.scheme.js';

const SECRET = 'sentry-client-secret-0123456789abcdef';
const OLD_SECRET = 'sentry-previous-client-secret-987654';
const BODY = JSON.stringify({
  action: 'created',
  installation: { uuid: '7a485448-a9e2-4c85-8a3c-4f44175783c9' },
  data: { issue: { id: '1170820242', title: 'TypeError' } },
  actor: { type: 'application', id: 'sentry', name: 'Sentry' },
});

/**
 * Sentry's own verifier, as its documentation and its integration-platform example app publish it
 * (docs.sentry.io/integrations/integration-platform/webhooks, "Verifying the signature"): it hashes
 * JSON.stringify of the parsed body, which for Sentry's compact JSON is the body as sent.
 */
function sentryDocsVerifySignature(request: { body: unknown; headers: Record<string, string> }, secret = '') {
  const hmac = createHmac('sha256', secret);
  hmac.update(JSON.stringify(request.body), 'utf8');
  const digest = hmac.digest('hex');
  return digest === request.headers['sentry-hook-signature'];
}
const sentrySender = (secret: string, body = BODY) => ({
  'sentry-hook-signature': createHmac('sha256', secret).update(body).digest('hex'),
  'sentry-hook-resource': 'issue',
  'sentry-hook-timestamp': '1763800000',
  'request-id': 'b1c2d3e4-0000-4000-8000-000000000001',
  'content-type': 'application/json',
});

describe("sentry() (SECONDARY proof: node:crypto and Sentry's documented snippet)", () => {
  const scheme = sentry();

  it("signs what Sentry's documented verifySignature accepts, and refuses what it refuses", () => {
    const headers = scheme.sign({ secret: SECRET, body: BODY });
    expect(sentryDocsVerifySignature({ body: JSON.parse(BODY), headers }, SECRET)).toBe(true);
    expect(sentryDocsVerifySignature({ body: JSON.parse(BODY), headers }, OLD_SECRET)).toBe(false);
  });

  it('accepts the documented signature and reports the unsigned id and resource', async () => {
    const outcome = await deliver(scheme, sentrySender(SECRET), BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({
      id: 'b1c2d3e4-0000-4000-8000-000000000001',
      type: 'issue',
      signed: { id: false, type: false, timestamp: false, body: true },
    });
    // Sentry-Hook-Timestamp is not signed, so it is not used for freshness.
    expect(eventOf(outcome).timestamp).toBeUndefined();
  });

  it('refuses a tampered body, the wrong secret and a base64 signature', async () => {
    const headers = sentrySender(SECRET);
    expect(
      await reasonOf(deliver(scheme, headers, BODY.replace('created', 'resolved'), { secrets: SECRET })),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    const base64 = { 'sentry-hook-signature': createHmac('sha256', SECRET).update(BODY).digest('base64') };
    expect(await reasonOf(deliver(scheme, base64, BODY, { secrets: SECRET }))).toBe('malformed_signature');
  });

  it('rotates: the old and the new client secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, sentrySender(secret), BODY, { secrets: [SECRET, OLD_SECRET] })),
      ).toBe('accepted');
    }
  });

  it('treats Request-ID and the timestamp as unsigned: a replay under fresh ones is a duplicate', async () => {
    expect(
      await replayWithFreshHeaders(scheme, sentrySender(SECRET), BODY, SECRET, {
        'request-id': 'b1c2d3e4-0000-4000-8000-0000000000ff',
        'sentry-hook-timestamp': '1763900000',
      }),
    ).toEqual(['new', 'duplicate']);
  });
});
