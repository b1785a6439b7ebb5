import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { ghost } from './ghost.scheme.js';

// Ghost ships no verifier. SECONDARY: the sender is written independently from the formula in Ghost's
// own webhook trigger (TryGhost/Ghost ghost/core/core/server/services/webhooks/webhook-trigger.js):
//   X-Ghost-Signature = `sha256=${hex HMAC-SHA256(secret, body + t)}, t=${t}`, t = Date.now() (Unix ms)
const SECRET = 'ghost-integration-webhook-secret-01234';
const OLD_SECRET = 'ghost-previous-webhook-secret-98765';
const NOW = 1_763_800_000_000;
const BODY = JSON.stringify({ post: { current: { id: '6543', title: 'Hello', status: 'published' } } });
const ghostSender = (secret: string, raw: string, ms = NOW) => ({
  'x-ghost-signature': `sha256=${createHmac('sha256', secret).update(`${raw}${ms}`).digest('hex')}, t=${ms}`,
  'content-type': 'application/json',
});
const verify = (
  headers: Record<string, string>,
  raw = BODY,
  secrets: string | string[] = SECRET,
  now = NOW,
) => reasonOf(deliver(ghost(), headers, raw, { secrets, now }));

describe('ghost()', () => {
  it('accepts a delivery signed per the formula (signing the same value), with the signed ms timestamp', async () => {
    const headers = ghostSender(SECRET, BODY);
    expect(ghost().sign({ secret: SECRET, body: BODY, timestamp: NOW })['x-ghost-signature']).toBe(
      headers['x-ghost-signature'],
    );
    const event = eventOf(await deliver(ghost(), headers, BODY, { secrets: SECRET, now: NOW }));
    expect(event.timestamp?.getTime()).toBe(NOW);
  });

  it('refuses a tampered body, the wrong secret, a moved timestamp, and a header without one', async () => {
    expect(await verify(ghostSender(SECRET, BODY), BODY.replace('Hello', 'Hijacked'))).toBe(
      'signature_mismatch',
    );
    expect(await verify(ghostSender(OLD_SECRET, BODY))).toBe('signature_mismatch');
    const moved = ghostSender(SECRET, BODY)['x-ghost-signature'].replace(`t=${NOW}`, `t=${NOW + 1}`);
    expect(await verify({ 'x-ghost-signature': moved })).toBe('signature_mismatch');
    const noTimestamp = ghostSender(SECRET, BODY)['x-ghost-signature'].split(',')[0]!;
    expect(await verify({ 'x-ghost-signature': noTimestamp })).toBe('malformed_header');
  });

  it('refuses stale and future timestamps (±5 min)', async () => {
    expect(await verify(ghostSender(SECRET, BODY, NOW - 301_000))).toBe('timestamp_expired');
    expect(await verify(ghostSender(SECRET, BODY, NOW + 301_000))).toBe('timestamp_in_future');
    expect(await verify(ghostSender(SECRET, BODY, NOW - 299_000))).toBe('accepted');
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(await verify(ghostSender(OLD_SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(ghostSender(SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses the same body re-signed under a fresh timestamp (replay keyed on the signed body)', async () => {
    const first = { headers: ghostSender(SECRET, BODY), rawBody: BODY };
    const resent = { headers: ghostSender(SECRET, BODY, NOW + 5_000), rawBody: BODY };
    expect(await secondDeliveryKind(ghost(), first, resent, { secrets: SECRET, now: NOW })).toBe('duplicate');
  });
});
