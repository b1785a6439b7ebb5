import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import { hmac } from '../schemes/hmac.scheme.js';
import type { WebhookScheme } from '../schemes/webhook-scheme.interface.js';
import { reasonAndStatusOf, replyOf } from '../testing/scheme-testing.js';
import { WebhookVerifier } from './webhook-verifier.js';

/** A scheme whose verify answers a promise, as the fetched-key schemes do (docs/architecture.md). */
function asyncScheme(
  verdicts: Record<string, () => Promise<boolean>>,
  calls: string[],
): WebhookScheme<string> {
  const base = hmac({ signatureHeader: 'x-sig' });
  return {
    ...base,
    name: 'async-test',
    importKey: (secret: string | Buffer) => String(secret),
    verify: (_parsed: unknown, _rawBody: Buffer, key: string) => {
      calls.push(key);
      return verdicts[key]!();
    },
    sign: () => ({}),
  } as unknown as WebhookScheme<string>;
}

const request = { headers: { 'x-sig': 'ab'.repeat(32) }, rawBody: Buffer.from('{}') };

describe('WebhookVerifier with a scheme whose verify is asynchronous', () => {
  it('asks every key (rotation, no early exit) and accepts when one resolves true', async () => {
    const calls: string[] = [];
    const scheme = asyncScheme({ a: async () => false, b: async () => true, c: async () => false }, calls);
    const verifier = new WebhookVerifier({ scheme, secrets: ['a', 'b', 'c'], replayStore: false });
    expect((await verifier.receive(request)).kind).toBe('new');
    expect(calls).toEqual(['a', 'b', 'c']);
  });

  it('refuses when none resolves true, and passes a fetch failure on as its own refusal (503)', async () => {
    const calls: string[] = [];
    const scheme = asyncScheme(
      {
        a: async () => false,
        b: () =>
          Promise.reject(new WebhookVerificationError('key_fetch_failed', 'The key could not be fetched.')),
      },
      calls,
    );
    expect(
      await reasonAndStatusOf(
        new WebhookVerifier({ scheme, secrets: 'a', replayStore: false }).receive(request),
      ),
    ).toBe('signature_mismatch/401');
    expect(
      await reasonAndStatusOf(
        new WebhookVerifier({ scheme, secrets: ['a', 'b'], replayStore: false }).receive(request),
      ),
    ).toBe('key_fetch_failed/503');
  });

  it('awaits an asynchronous signed handshake', async () => {
    const scheme = {
      ...asyncScheme({ a: async () => true }, []),
      signedHandshake: async () => ({ status: 200, body: 'confirmed' }),
    };
    const verifier = new WebhookVerifier({ scheme, secrets: 'a', replayStore: false });
    expect(replyOf(await verifier.receive(request))).toEqual({ status: 200, body: 'confirmed' });
  });
});
