import { createRequire } from 'node:module';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { coinbase } from './coinbase.scheme.js';

// coinbase-commerce-node (1.0.4, the last release) ships no type declarations.
const { Webhook } = createRequire(import.meta.url)('coinbase-commerce-node') as {
  Webhook: {
    computeSignature(payload: string, secret: string): string;
    verifySigHeader(payload: string, signature: string, secret: string): boolean;
  };
};
const SECRET = 'a-coinbase-commerce-shared-secret';
const OLD_SECRET = 'the-previous-coinbase-secret-000';
const envelope = (attempt: number, eventId = 'f7f5a6e1-0000-4000-8000-000000000001') =>
  JSON.stringify({
    id: attempt,
    scheduled_for: '2026-11-22T10:00:00Z',
    attempt_number: attempt,
    event: { id: eventId, type: 'charge:confirmed', data: { code: 'ABCD1234' } },
  });
const BODY = envelope(1);
const delivery = (payload = BODY, secret = SECRET) => ({
  'x-cc-webhook-signature': Webhook.computeSignature(payload, secret),
});

describe('coinbase()', () => {
  const scheme = coinbase();

  it('accepts a signature from the official SDK (Webhook.computeSignature) and the SDK accepts ours', async () => {
    const outcome = await deliver(scheme, delivery(), BODY, { secrets: SECRET });
    expect(eventOf(outcome).id).toBe('f7f5a6e1-0000-4000-8000-000000000001');
    const ours = scheme.sign({ secret: SECRET, body: BODY })['x-cc-webhook-signature']!;
    expect(Webhook.verifySigHeader(BODY, ours, SECRET)).toBe(true);
  });

  it('matches the SDK value recorded in PROVIDERS.md', () => {
    expect(scheme.sign({ secret: 'secret', body: '{"event":{}}' })['x-cc-webhook-signature']).toBe(
      '2c984a26b96792f49173390b114619a17f5699a0bb42f13aff472b980b3080b5',
    );
  });

  it('refuses a tampered body and the wrong secret; rotates between secrets', async () => {
    expect(await reasonOf(deliver(scheme, delivery(), envelope(2), { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, delivery(), BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    const secrets = [SECRET, OLD_SECRET];
    expect(await reasonOf(deliver(scheme, delivery(BODY, OLD_SECRET), BODY, { secrets }))).toBe('accepted');
    expect(await reasonOf(deliver(scheme, delivery(BODY, SECRET), BODY, { secrets }))).toBe('accepted');
  });

  it('refuses a replay with an extra id header (nothing but the signed body counts)', async () => {
    expect(
      await replayWithFreshHeaders(scheme, delivery(), BODY, SECRET, { 'x-webhook-id': 'fresh-id' }),
    ).toEqual(['new', 'duplicate']);
  });

  it('keys replays on the signed event.id, so a retry (new attempt_number) is a duplicate', () => {
    const retry = envelope(2);
    const parse = (body: string) =>
      scheme.parse(delivery(body), {
        limits: { maxHeaderLength: 8192, maxSignatures: 16 },
        rawBody: Buffer.from(body),
      });
    const key = (body: string) => scheme.replayId!(parse(body), Buffer.from(body));
    expect(key(retry)).toBe(key(BODY));
    expect(key(envelope(1, 'another-event'))).not.toBe(key(BODY));
    expect(key('{"no":"event"}')).not.toBe(key('{"no":"event!"}'));
  });
});
