import { validateWebhook } from 'replicate';
import { Webhook } from 'standardwebhooks';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { replicate } from './replicate.scheme.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 21).toString('base64');
const OLD_SECRET = 'whsec_' + Buffer.alloc(32, 22).toString('base64');
const BODY = JSON.stringify({
  id: 'ufawqhfynnddngldkgtslldrkq',
  status: 'succeeded',
  output: ['https://x/y.png'],
});
const NOW = 1_763_800_000_000;
/** What Replicate sends: webhook-* headers signed by the Standard Webhooks reference signer. */
const sent = (secret = SECRET, id = 'msg_2bVYhQk5RMcQfOrWQ8R3e6v6ot3', ms = NOW) => ({
  'webhook-id': id,
  'webhook-timestamp': String(Math.floor(ms / 1000)),
  'webhook-signature': new Webhook(secret).sign(id, new Date(ms), BODY),
  'content-type': 'application/json',
});
const verify = (
  headers: Record<string, string>,
  body = BODY,
  secrets: string | string[] = SECRET,
  now = NOW,
) => reasonOf(deliver(replicate(), headers, body, { secrets, now }));

describe('replicate()', () => {
  it("signs what the official replicate SDK's validateWebhook accepts", async () => {
    const headers = replicate().sign({ secret: SECRET, body: BODY, id: 'msg_replicate_1' });
    const check = (secret: string) =>
      validateWebhook({
        id: headers['webhook-id']!,
        timestamp: headers['webhook-timestamp']!,
        signature: headers['webhook-signature']!,
        body: BODY,
        secret,
      });
    expect(await check(SECRET)).toBe(true);
    expect(await check(OLD_SECRET)).toBe(false);
  });

  it('accepts a delivery from the Standard Webhooks reference signer, keyed by webhook-id', async () => {
    const event = eventOf(await deliver(replicate(), sent(), BODY, { secrets: SECRET, now: NOW }));
    expect(event).toMatchObject({ id: 'msg_2bVYhQk5RMcQfOrWQ8R3e6v6ot3', scheme: 'replicate' });
    expect(event.payload).toMatchObject({ status: 'succeeded' });
  });

  it('refuses a tampered body, the wrong secret, and stale or future timestamps (±5 min)', async () => {
    expect(await verify(sent(), BODY.replace('succeeded', 'failed'))).toBe('signature_mismatch');
    expect(await verify(sent(OLD_SECRET))).toBe('signature_mismatch');
    expect(await verify(sent(), BODY, SECRET, NOW + 301_000)).toBe('timestamp_expired');
    expect(await verify(sent(), BODY, SECRET, NOW - 301_000)).toBe('timestamp_in_future');
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(await verify(sent(OLD_SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(sent(SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a retry of the same webhook-id, and a fresh id is refused as unsigned', async () => {
    const headers = sent();
    expect(await replayWithFreshHeaders(replicate(), headers, BODY, SECRET, {}, NOW)).toEqual([
      'new',
      'duplicate',
    ]);
    // The id is signed: swapping it breaks the signature instead of passing as a new delivery.
    expect(await verify({ ...headers, 'webhook-id': 'msg_fresh' })).toBe('signature_mismatch');
  });
});
