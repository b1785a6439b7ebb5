import Pusher from 'pusher';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { pusher } from './pusher.scheme.js';

const APP_KEY = 'pusher-app-key-0123';
const SECRET = 'pusher-app-secret-0123456789abcdef';
const OLD_SECRET = 'pusher-previous-secret-9876543210';
const BODY = JSON.stringify({
  time_ms: 1_763_800_000_000,
  events: [
    { name: 'channel_occupied', channel: 'presence-room' },
    { name: 'member_added', channel: 'presence-room', user_id: 'u1' },
  ],
});
const signed = (secret = SECRET, body = BODY) => ({
  ...pusher().sign({ secret, body }),
  'x-pusher-key': APP_KEY,
});
const verify = (headers: Record<string, string>, body = BODY, secrets: string | string[] = SECRET) =>
  reasonOf(deliver(pusher(), headers, body, { secrets }));
const sdkSays = (secret: string, headers: Record<string, string>, body = BODY) =>
  new Pusher({ appId: '1', key: APP_KEY, secret, cluster: 'eu' })
    .webhook({ headers, rawBody: body })
    .isValid();

describe('pusher()', () => {
  it("signs what the official pusher SDK's WebHook.isValid accepts", () => {
    expect(sdkSays(SECRET, signed())).toBe(true);
    expect(sdkSays(OLD_SECRET, signed())).toBe(false);
  });

  it('accepts its signature; handlers are dispatched on each events[].name', async () => {
    const event = eventOf(await deliver(pusher(), signed(), BODY, { secrets: SECRET }));
    expect(eventNamesOf(pusher(), event)).toEqual(['channel_occupied', 'member_added']);
  });

  it('refuses a tampered body and the wrong secret', async () => {
    expect(await verify(signed(), BODY.replace('u1', 'u2'))).toBe('signature_mismatch');
    expect(await verify(signed(OLD_SECRET))).toBe('signature_mismatch');
    expect(await verify({ 'x-pusher-key': APP_KEY })).toBe('missing_signature');
  });

  it('has no timestamp header to check, and accepts the old or the new secret (rotation)', async () => {
    expect(pusher().defaultToleranceMs).toBeUndefined();
    expect(await verify(signed(OLD_SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(signed(SECRET), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a replay under another unsigned app key header (keyed on the signed body)', async () => {
    expect(
      await replayWithFreshHeaders(pusher(), signed(), BODY, SECRET, { 'x-pusher-key': 'another-key' }),
    ).toEqual(['new', 'duplicate']);
  });
});
