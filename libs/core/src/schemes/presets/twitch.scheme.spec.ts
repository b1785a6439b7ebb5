import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders, replyOf } from '../../testing/scheme-testing.js';
import { twitch } from './twitch.scheme.js';

// Twitch publishes no npm signer or verifier. The sender side is written independently from the
// formula in Twitch's docs (dev.twitch.tv/docs/eventsub/handling-webhook-events, "Verifying the
// event message"): HMAC-SHA256(secret, message id + message timestamp + raw body), sent as
// `sha256=<hex>`; the timestamp is RFC 3339 with nanoseconds, used verbatim.
const twitchSender = (
  secret: string,
  body: string,
  id: string,
  timestamp: string,
  type = 'notification',
) => ({
  'twitch-eventsub-message-id': id,
  'twitch-eventsub-message-timestamp': timestamp,
  'twitch-eventsub-message-signature':
    'sha256=' +
    createHmac('sha256', secret)
      .update(id + timestamp + body)
      .digest('hex'),
  'twitch-eventsub-message-type': type,
  'twitch-eventsub-message-retry': '0',
  'twitch-eventsub-subscription-type': 'channel.follow',
  'twitch-eventsub-subscription-version': '2',
  'content-type': 'application/json',
});
const SECRET = 'twitch-subscription-secret-0123';
const OLD_SECRET = 'older-twitch-subscription-secret';
const TIMESTAMP = '2026-11-22T08:26:40.123456789Z';
const NOW = Date.parse('2026-11-22T08:26:40.123Z');
const ID = 'befa7b53-d79d-478f-86b9-120f112b044e';
const BODY = JSON.stringify({
  subscription: { id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4', type: 'channel.follow', version: '2' },
  event: { user_id: '1337', broadcaster_user_id: '12826' },
});
const at = (ms: number, secrets: string | string[] = SECRET) => ({ secrets, now: ms });

describe('twitch()', () => {
  const scheme = twitch();

  it('accepts a delivery signed per the documented formula, with a nanosecond RFC 3339 timestamp', async () => {
    const outcome = await deliver(scheme, twitchSender(SECRET, BODY, ID, TIMESTAMP), BODY, at(NOW));
    expect(eventOf(outcome)).toMatchObject({ id: ID, type: 'channel.follow', scheme: 'twitch' });
    expect(eventOf(outcome).timestamp?.getTime()).toBe(NOW);
  });

  it('signs what the documented formula computes', () => {
    const ours = scheme.sign({ secret: SECRET, body: BODY, id: ID, timestamp: NOW });
    const sender = twitchSender(SECRET, BODY, ID, ours['twitch-eventsub-message-timestamp']!);
    expect(ours['twitch-eventsub-message-signature']).toBe(sender['twitch-eventsub-message-signature']);
  });

  it('refuses a tampered body, id or timestamp and the wrong secret', async () => {
    const headers = twitchSender(SECRET, BODY, ID, TIMESTAMP);
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('1337', '1338'), at(NOW)))).toBe(
      'signature_mismatch',
    );
    const otherId = { ...headers, 'twitch-eventsub-message-id': 'another-id' };
    expect(await reasonOf(deliver(scheme, otherId, BODY, at(NOW)))).toBe('signature_mismatch');
    // Same instant, different spelling: the signed text is the header as sent.
    const respelled = { ...headers, 'twitch-eventsub-message-timestamp': '2026-11-22T08:26:40.123Z' };
    expect(await reasonOf(deliver(scheme, respelled, BODY, at(NOW)))).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, OLD_SECRET)))).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps (10 minutes, both ways)', async () => {
    const headers = twitchSender(SECRET, BODY, ID, TIMESTAMP);
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 600_001)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW - 600_001)))).toBe('timestamp_in_future');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 599_000)))).toBe('accepted');
  });

  it('rotates: old and new secret both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      const headers = twitchSender(secret, BODY, ID, TIMESTAMP);
      expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, [SECRET, OLD_SECRET])))).toBe('accepted');
    }
  });

  it('keys replays on the signed message id: a retry with a new timestamp is a duplicate', async () => {
    expect(scheme.signs.id).toBe(true);
    const retryTimestamp = '2026-11-22T08:27:10.5Z';
    const retry = twitchSender(SECRET, BODY, ID, retryTimestamp);
    expect(
      await replayWithFreshHeaders(
        scheme,
        twitchSender(SECRET, BODY, ID, TIMESTAMP),
        BODY,
        SECRET,
        retry,
        NOW,
      ),
    ).toEqual(['new', 'duplicate']);
  });

  it('answers a signed webhook_callback_verification with the raw challenge as text/plain', async () => {
    const body = JSON.stringify({
      challenge: 'pogchamp-kappa-360noscope-vohiyo',
      subscription: {
        id: 'f1c2a387',
        status: 'webhook_callback_verification_pending',
        type: 'channel.follow',
      },
    });
    const headers = twitchSender(SECRET, body, ID, TIMESTAMP, 'webhook_callback_verification');
    const reply = replyOf(await deliver(scheme, headers, body, at(NOW)));
    expect(reply).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'pogchamp-kappa-360noscope-vohiyo',
    });
    // The unsigned message-type header cannot turn the signed challenge into an event.
    const relabelled = { ...headers, 'twitch-eventsub-message-type': 'notification' };
    expect(replyOf(await deliver(scheme, relabelled, body, at(NOW))).body).toBe(
      'pogchamp-kappa-360noscope-vohiyo',
    );
    expect(
      await reasonOf(
        deliver(
          scheme,
          twitchSender(OLD_SECRET, body, ID, TIMESTAMP, 'webhook_callback_verification'),
          body,
          at(NOW),
        ),
      ),
    ).toBe('signature_mismatch');
  });

  it('answers malformed headers with clear reasons', async () => {
    const headers = twitchSender(SECRET, BODY, ID, TIMESTAMP);
    const { 'twitch-eventsub-message-id': _id, ...noId } = headers;
    expect(await reasonOf(deliver(scheme, noId, BODY, at(NOW)))).toBe('missing_header');
    const badTime = { ...headers, 'twitch-eventsub-message-timestamp': '22 Nov 2026 08:26:40 GMT' };
    expect(await reasonOf(deliver(scheme, badTime, BODY, at(NOW)))).toBe('malformed_header');
    const noPrefix = {
      ...headers,
      'twitch-eventsub-message-signature': headers['twitch-eventsub-message-signature'].slice(7),
    };
    expect(await reasonOf(deliver(scheme, noPrefix, BODY, at(NOW)))).toBe('malformed_signature');
  });
});
