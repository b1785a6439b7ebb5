import { webhooks } from '@polar-sh/sdk/2027-01';
import { Webhook } from 'standardwebhooks';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { polar } from './polar.scheme.js';

const SECRET = 'polar_whs_0123456789abcdefghijklmnopqrstuvwxyzABCD';
const OLD_SECRET = 'polar_whs_previous_9876543210zyxwvutsrqponmlkjih';
const BODY = JSON.stringify({
  type: 'order.created',
  timestamp: '2026-11-30T10:00:00Z',
  data: { id: 'ord_1' },
});
const NOW = 1_763_800_000_000;
/** What Polar sends: Standard Webhooks keyed with the secret's UTF-8 bytes (the reference signer, fed their base64). */
const sent = (secret = SECRET, id = 'msg_polar_1', ms = NOW) => ({
  'webhook-id': id,
  'webhook-timestamp': String(Math.floor(ms / 1000)),
  'webhook-signature': new Webhook(Buffer.from(secret, 'utf8').toString('base64')).sign(
    id,
    new Date(ms),
    BODY,
  ),
  'content-type': 'application/json',
});
const verify = (
  headers: Record<string, string>,
  body = BODY,
  secrets: string | string[] = SECRET,
  now = NOW,
) => reasonOf(deliver(polar(), headers, body, { secrets, now }));

describe('polar()', () => {
  it('signs what the official @polar-sh/sdk webhooks.validateEvent accepts', async () => {
    const headers = polar().sign({ secret: SECRET, body: BODY, id: 'msg_polar_sdk' });
    await expect(webhooks.validateEvent(BODY, headers, SECRET)).resolves.toMatchObject({
      type: 'order.created',
    });
    await expect(webhooks.validateEvent(BODY, headers, OLD_SECRET)).rejects.toThrow();
  });

  it('accepts a delivery keyed with the secret as written; the body type names it', async () => {
    const event = eventOf(await deliver(polar(), sent(), BODY, { secrets: SECRET, now: NOW }));
    expect(event).toMatchObject({ id: 'msg_polar_1', type: 'order.created', scheme: 'polar' });
  });

  it('refuses a tampered body, the wrong secret, and stale or future timestamps (±5 min)', async () => {
    expect(await verify(sent(), BODY.replace('ord_1', 'ord_2'))).toBe('signature_mismatch');
    expect(await verify(sent(OLD_SECRET))).toBe('signature_mismatch');
    expect(await verify(sent(), BODY, SECRET, NOW + 301_000)).toBe('timestamp_expired');
    expect(await verify(sent(), BODY, SECRET, NOW - 301_000)).toBe('timestamp_in_future');
  });

  it('like the SDK, also accepts a whsec_ secret used base64-decoded', async () => {
    const whsec = 'whsec_' + Buffer.alloc(32, 5).toString('base64');
    const headers = {
      'webhook-id': 'msg_polar_whsec',
      'webhook-timestamp': String(Math.floor(NOW / 1000)),
      'webhook-signature': new Webhook(whsec).sign('msg_polar_whsec', new Date(NOW), BODY),
    };
    expect(await verify(headers, BODY, whsec)).toBe('accepted');
    expect(await verify(headers, BODY, SECRET)).toBe('signature_mismatch');
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(await verify(sent(OLD_SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(sent(SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a retry of the same webhook-id; a swapped id breaks the signature', async () => {
    expect(await replayWithFreshHeaders(polar(), sent(), BODY, SECRET, {}, NOW)).toEqual([
      'new',
      'duplicate',
    ]);
    expect(await verify({ ...sent(), 'webhook-id': 'msg_fresh' })).toBe('signature_mismatch');
  });
});
