import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { WebhookVerifier } from '../../verify/webhook-verifier.js';
import { okta } from './okta.scheme.js';

const TOKEN = 'okta-event-hook-shared-secret-0123';
const BODY = '{"eventType":"com.okta.event_hook","data":{"events":[{"eventId":"e1"}]}}';
const request = (token: string, header = 'authorization') => ({
  headers: { [header]: token },
  rawBody: BODY,
});

describe('okta() (SECONDARY; shared bearer token, no signer exists: checked against the documented verbatim header)', () => {
  it('accepts the configured Authorization value sent verbatim, or a custom header', async () => {
    expect(await reasonOf(verifyWith(okta(), request(TOKEN), { secrets: TOKEN }))).toBe('accepted');
    expect(
      await reasonOf(
        verifyWith(okta({ header: 'X-Okta-Secret' }), request(TOKEN, 'x-okta-secret'), { secrets: TOKEN }),
      ),
    ).toBe('accepted');
  });

  it('refuses another value, a prefix, and none', async () => {
    expect(
      await reasonOf(verifyWith(okta(), request('not-the-okta-secret-000000'), { secrets: TOKEN })),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(okta(), request(TOKEN.slice(0, 10)), { secrets: TOKEN }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(verifyWith(okta(), { headers: {}, rawBody: BODY }, { secrets: TOKEN }))).toBe(
      'missing_signature',
    );
  });

  it('accepts the old or the new value (rotation)', async () => {
    expect(
      await reasonOf(verifyWith(okta(), request(TOKEN), { secrets: ['new-okta-secret-00000000', TOKEN] })),
    ).toBe('accepted');
  });

  it('answers the one-time verification GET with {verification}', async () => {
    const verifier = new WebhookVerifier({ scheme: okta(), secrets: TOKEN, replayStore: false });
    const get = (method: string, headers: Record<string, string>) =>
      verifier.receive({ method, headers, rawBody: Buffer.alloc(0) });
    expect(await get('GET', { 'x-okta-verification-challenge': 'vChallenge123' })).toEqual({
      kind: 'handshake',
      reply: { status: 200, body: { verification: 'vChallenge123' } },
    });
    expect(await reasonOf(get('POST', { 'x-okta-verification-challenge': 'vChallenge123' }))).toBe(
      'missing_signature',
    );
    expect(await reasonOf(get('GET', {}))).toBe('missing_signature');
  });

  it('refuses a replay of a processed event', async () => {
    expect(await secondDeliveryKind(okta(), request(TOKEN), request(TOKEN), { secrets: TOKEN })).toBe(
      'duplicate',
    );
  });
});
