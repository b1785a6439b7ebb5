import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { eventOf, reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { linear } from './linear.scheme.js';

const SECRET = 'lin_wh_0123456789abcdefghijklmnopqrstuv';
const bodyAt = (ms: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    action: 'create',
    type: 'Issue',
    data: { id: 'iss_1' },
    webhookId: 'wh_config_1',
    webhookTimestamp: ms,
    ...extra,
  });
const signedAt = (ms: number, secret = SECRET, extra: Record<string, unknown> = {}) => {
  const body = bodyAt(ms, extra);
  return { headers: linear().sign({ secret, body }), rawBody: body };
};

describe('linear()', () => {
  it('signs what the official @linear/sdk LinearWebhookClient.verify accepts', () => {
    const now = Date.now();
    const { headers, rawBody } = signedAt(now);
    const client = new LinearWebhookClient(SECRET);
    expect(client.verify(Buffer.from(rawBody), headers['linear-signature']!)).toBe(true);
    expect(() =>
      new LinearWebhookClient('another-secret').verify(Buffer.from(rawBody), headers['linear-signature']!),
    ).toThrow();
  });

  it('accepts its signature and takes freshness from the signed webhookTimestamp', async () => {
    const now = 1_700_000_000_000;
    const outcome = await verifyWith(linear(), signedAt(now), { secrets: SECRET, now });
    expect(eventOf(outcome).timestamp?.getTime()).toBe(now);
    expect(eventOf(outcome).type).toBe('Issue');
  });

  it('refuses a tampered body and the wrong secret', async () => {
    const now = 1_700_000_000_000;
    const request = signedAt(now);
    expect(
      await reasonOf(
        verifyWith(
          linear(),
          { ...request, rawBody: request.rawBody.replace('iss_1', 'iss_2') },
          { secrets: SECRET, now },
        ),
      ),
    ).toBe('signature_mismatch');
    expect(
      await reasonOf(verifyWith(linear(), request, { secrets: 'another-linear-secret-0000', now })),
    ).toBe('signature_mismatch');
  });

  it('refuses stale and future webhookTimestamps (±60 s) and a body without one', async () => {
    const now = 1_700_000_000_000;
    expect(await reasonOf(verifyWith(linear(), signedAt(now - 61_000), { secrets: SECRET, now }))).toBe(
      'timestamp_expired',
    );
    expect(await reasonOf(verifyWith(linear(), signedAt(now + 61_000), { secrets: SECRET, now }))).toBe(
      'timestamp_in_future',
    );
    expect(await reasonOf(verifyWith(linear(), signedAt(now - 59_000), { secrets: SECRET, now }))).toBe(
      'accepted',
    );
    const noTimestamp = '{"type":"Issue"}';
    const request = { headers: linear().sign({ secret: SECRET, body: noTimestamp }), rawBody: noTimestamp };
    expect(await reasonOf(verifyWith(linear(), request, { secrets: SECRET, now }))).toBe('missing_header');
  });

  it('ignores the legacy linear-timestamp header', async () => {
    const now = 1_700_000_000_000;
    const request = signedAt(now - 120_000);
    const headers = { ...request.headers, 'linear-timestamp': String(now) };
    expect(await reasonOf(verifyWith(linear(), { ...request, headers }, { secrets: SECRET, now }))).toBe(
      'timestamp_expired',
    );
  });

  it('accepts the old or the new secret (rotation)', async () => {
    const now = 1_700_000_000_000;
    expect(
      await reasonOf(
        verifyWith(linear(), signedAt(now), { secrets: ['lin_wh_new_secret_000000', SECRET], now }),
      ),
    ).toBe('accepted');
  });

  it('refuses a replay of a processed delivery, but not another delivery of the same webhook', async () => {
    const now = 1_700_000_000_000;
    expect(await secondDeliveryKind(linear(), signedAt(now), signedAt(now), { secrets: SECRET, now })).toBe(
      'duplicate',
    );
    // Same webhookId (it names the webhook configuration), different event: processed.
    const other = signedAt(now, SECRET, { data: { id: 'iss_2' } });
    expect(await secondDeliveryKind(linear(), signedAt(now), other, { secrets: SECRET, now })).toBe('new');
  });
});
