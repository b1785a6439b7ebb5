import { verifyWebhook } from '@clerk/backend/webhooks';
import { Resend } from 'resend';
import { Webhook as SvixWebhook } from 'svix';
import { deliver, eventOf, reasonOf } from '../../testing/scheme-testing.js';
import { clerk, resend, svix } from './standard-aliases.scheme.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
const OLD_SECRET = 'whsec_' + Buffer.alloc(32, 10).toString('base64');
const BODY = JSON.stringify({ type: 'user.created', data: { id: 'user_29w83sxmDNGwOuEthce5gg56FcC' } });

/** What Svix (and so Clerk and Resend) sends: svix-* headers signed by the official svix library. */
function svixDelivery(secret = SECRET, id = 'msg_2bVYhQk5RMcQfOrWQ8R3e6v6ot3', date = new Date()) {
  return {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
    'svix-signature': new SvixWebhook(secret).sign(id, date, BODY),
  };
}

describe.each([
  ['svix', svix],
  ['clerk', clerk],
  ['resend', resend],
] as const)('%s()', (name, factory) => {
  const scheme = factory();

  it('is Standard Webhooks under its own name, and accepts svix-* headers from the official svix signer', async () => {
    expect(scheme.name).toBe(name);
    const outcome = await deliver(scheme, svixDelivery(), BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({
      id: 'msg_2bVYhQk5RMcQfOrWQ8R3e6v6ot3',
      type: 'user.created',
      scheme: name,
    });
  });

  it('refuses a tampered body, the wrong secret, and stale or future timestamps; rotates', async () => {
    expect(
      await reasonOf(
        deliver(scheme, svixDelivery(), BODY.replace('created', 'deleted'), { secrets: SECRET }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, svixDelivery(), BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    const headers = svixDelivery();
    const sent = Number(headers['svix-timestamp']) * 1000;
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: SECRET, now: sent + 301_000 }))).toBe(
      'timestamp_expired',
    );
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: SECRET, now: sent - 301_000 }))).toBe(
      'timestamp_in_future',
    );
    const secrets = [SECRET, OLD_SECRET];
    expect(await reasonOf(deliver(scheme, svixDelivery(OLD_SECRET), BODY, { secrets }))).toBe('accepted');
    expect(await reasonOf(deliver(scheme, svixDelivery(SECRET), BODY, { secrets }))).toBe('accepted');
  });
});

describe('provider verifiers accept what the aliases sign', () => {
  it('@clerk/backend verifyWebhook accepts clerk().sign()', async () => {
    const headers = clerk().sign({ secret: SECRET, body: BODY, id: 'msg_clerk' });
    const request = new Request('https://example.com/webhooks/clerk', {
      method: 'POST',
      headers,
      body: BODY,
    });
    const event = await verifyWebhook(request, { signingSecret: SECRET });
    expect(event.type).toBe('user.created');
  });

  it('resend.webhooks.verify accepts resend().sign()', () => {
    const headers = resend().sign({ secret: SECRET, body: BODY, id: 'msg_resend' });
    const verified = new Resend('re_test_conformance').webhooks.verify({
      payload: BODY,
      headers: {
        id: headers['svix-id']!,
        timestamp: headers['svix-timestamp']!,
        signature: headers['svix-signature']!,
      },
      webhookSecret: SECRET,
    });
    expect(verified).toMatchObject({ type: 'user.created' });
  });

  it('the svix library verifies svix().sign(), which writes svix-* headers as Svix does', () => {
    const headers = svix().sign({ secret: SECRET, body: BODY, id: 'msg_svix' });
    expect(Object.keys(headers).filter((name) => name.startsWith('webhook-'))).toEqual([]);
    expect(() => new SvixWebhook(SECRET).verify(BODY, headers)).not.toThrow();
  });
});
