import { createHmac } from 'node:crypto';
import { WebhookUtils } from '@gomomento/sdk';
import { deliver, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { momento } from './momento.scheme.js';

// SDK test vector: momentohq/client-sdk-javascript test/unit/webhookutils (PROVIDERS.md §7).
const SDK_VECTOR = {
  secret: '1234567890',
  body: '{"text":"some text", "another_field": "another field" }',
  signature: 'b43f72787eb66410ff110295b036ef828e5686af21b414ce092f02c05deea3da',
};
const SECRET = 'a-momento-signing-secret-0123456';
const OLD_SECRET = 'the-previous-momento-secret-0000';
const PUBLISHED = 1_763_800_000_123;
const message = (sequence = 7, publishedAt = PUBLISHED) =>
  JSON.stringify({
    cache: 'orders',
    topic: 'created',
    event_timestamp: publishedAt,
    publish_timestamp: publishedAt,
    topic_sequence_number: sequence,
    token_id: '',
    text: 'hello',
  });
const BODY = message();
const at = (ms: number, secrets: string | string[] = SECRET) => ({ secrets, now: ms });

describe('momento()', () => {
  const scheme = momento();
  // The SDK logs the expected and the actual signature (PROVIDERS.md §7); keep test output clean.
  beforeEach(() => void vi.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => vi.restoreAllMocks());

  it('signs what the official SDK (WebhookUtils.validateWebhookRequest, 1.111.0) accepts', () => {
    const signature = scheme.sign({ secret: SECRET, body: BODY })['momento-signature']!;
    expect(WebhookUtils.validateWebhookRequest({ body: BODY, signature, signingSecret: SECRET })).toBe(
      WebhookUtils.RequestValidation.VALID,
    );
    const vector = scheme.sign({ secret: SDK_VECTOR.secret, body: SDK_VECTOR.body })['momento-signature'];
    expect(vector).toBe(SDK_VECTOR.signature);
  });

  it('accepts a delivery with a fresh publish_timestamp and exposes it as the timestamp', async () => {
    const headers = scheme.sign({ secret: SECRET, body: BODY });
    const outcome = await deliver(scheme, headers, BODY, at(PUBLISHED + 5_000));
    expect(outcome.kind === 'new' && outcome.event.timestamp?.getTime()).toBe(PUBLISHED);
  });

  it('refuses a tampered body (including a refreshed publish_timestamp) and the wrong secret', async () => {
    const headers = scheme.sign({ secret: SECRET, body: BODY });
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('hello', 'hellp'), at(PUBLISHED)))).toBe(
      'signature_mismatch',
    );
    const refreshed = message(7, PUBLISHED + 120_000);
    expect(await reasonOf(deliver(scheme, headers, refreshed, at(PUBLISHED + 120_000)))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, headers, BODY, at(PUBLISHED, OLD_SECRET)))).toBe(
      'signature_mismatch',
    );
    const sha256 = { 'momento-signature': createHmac('sha256', SECRET).update(BODY).digest('hex') };
    expect(await reasonOf(deliver(scheme, sha256, BODY, at(PUBLISHED)))).toBe('signature_mismatch');
  });

  it('refuses stale and future publish timestamps (60 s, both ways)', async () => {
    const headers = scheme.sign({ secret: SECRET, body: BODY });
    expect(await reasonOf(deliver(scheme, headers, BODY, at(PUBLISHED + 60_001)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(PUBLISHED - 60_001)))).toBe(
      'timestamp_in_future',
    );
    expect(await reasonOf(deliver(scheme, headers, BODY, at(PUBLISHED + 59_000)))).toBe('accepted');
  });

  it('refuses a signed body without publish_timestamp (freshness cannot be proven)', async () => {
    const headers = scheme.sign({ secret: SDK_VECTOR.secret, body: SDK_VECTOR.body });
    expect(await reasonOf(deliver(scheme, headers, SDK_VECTOR.body, at(PUBLISHED, SDK_VECTOR.secret)))).toBe(
      'missing_header',
    );
    const text = message().replace(`"publish_timestamp":${PUBLISHED}`, `"publish_timestamp":"${PUBLISHED}"`);
    expect(
      await reasonOf(deliver(scheme, scheme.sign({ secret: SECRET, body: text }), text, at(PUBLISHED))),
    ).toBe('missing_header');
  });

  it('rotates: old and new secret both accepted', async () => {
    const secrets = [SECRET, OLD_SECRET];
    for (const secret of secrets) {
      const headers = scheme.sign({ secret, body: BODY });
      expect(await reasonOf(deliver(scheme, headers, BODY, at(PUBLISHED, secrets)))).toBe('accepted');
    }
  });

  it('keys replays on cache, topic, sequence number and publish time from the signed body', async () => {
    const headers = scheme.sign({ secret: SECRET, body: BODY });
    expect(await replayWithFreshHeaders(scheme, headers, BODY, SECRET, {}, PUBLISHED)).toEqual([
      'new',
      'duplicate',
    ]);
    const limits = { maxHeaderLength: 8192, maxSignatures: 16 };
    const key = (body: string) =>
      scheme.replayId!(scheme.parse(headers, { limits, rawBody: Buffer.from(body) }), Buffer.from(body));
    expect(key(message(8))).not.toBe(key(BODY));
    expect(key(BODY.replace('hello', 'other text'))).toBe(key(BODY));
  });
});
