import { verifySlackRequest } from '@slack/bolt';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders, replyOf } from '../../testing/scheme-testing.js';
import { slack } from './slack.scheme.js';

// Published vector: Slack docs "Verifying requests from Slack" (PROVIDERS.md §6).
const DOCS = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: 1531420618,
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const SECRET = 'a-slack-signing-secret-0123456789ab';
const OLD_SECRET = 'the-previous-slack-signing-secret!';
const NOW = 1_763_800_000;
const EVENT = JSON.stringify({
  type: 'event_callback',
  event_id: 'Ev0PV52K21',
  event: { type: 'app_mention' },
});
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const docsHeaders = {
  'x-slack-signature': DOCS.signature,
  'x-slack-request-timestamp': String(DOCS.timestamp),
  ...FORM,
};
const signAt = (body: string, seconds = NOW, secret = SECRET) =>
  slack().sign({ secret, body, timestamp: seconds * 1000 });

describe('slack()', () => {
  const scheme = slack();

  it('accepts the Slack docs vector', async () => {
    const outcome = await deliver(scheme, docsHeaders, DOCS.body, {
      secrets: DOCS.secret,
      now: DOCS.timestamp * 1000,
    });
    expect(eventOf(outcome).payload).toMatchObject({ command: '/webhook-collect' });
  });

  it('signs what the official verifier (@slack/bolt verifySlackRequest) accepts, and reproduces the vector', () => {
    const headers = signAt(EVENT);
    expect(() =>
      verifySlackRequest({
        signingSecret: SECRET,
        body: EVENT,
        headers: {
          'x-slack-signature': headers['x-slack-signature']!,
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
        nowMilliseconds: NOW * 1000,
      }),
    ).not.toThrow();
    const docs = scheme.sign({ secret: DOCS.secret, body: DOCS.body, timestamp: DOCS.timestamp * 1000 });
    expect(docs['x-slack-signature']).toBe(DOCS.signature);
  });

  it('refuses a tampered body, a moved timestamp and the wrong secret', async () => {
    const at = { secrets: DOCS.secret, now: DOCS.timestamp * 1000 };
    expect(await reasonOf(deliver(scheme, docsHeaders, DOCS.body.replace('foobar', 'foobaz'), at))).toBe(
      'signature_mismatch',
    );
    const moved = { ...docsHeaders, 'x-slack-request-timestamp': String(DOCS.timestamp + 1) };
    expect(await reasonOf(deliver(scheme, moved, DOCS.body, at))).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, docsHeaders, DOCS.body, { ...at, secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
  });

  it('refuses stale and future timestamps (5 minutes, both ways)', async () => {
    const at = (seconds: number) =>
      reasonOf(deliver(scheme, docsHeaders, DOCS.body, { secrets: DOCS.secret, now: seconds * 1000 }));
    expect(await at(DOCS.timestamp + 301)).toBe('timestamp_expired');
    expect(await at(DOCS.timestamp - 301)).toBe('timestamp_in_future');
    expect(await at(DOCS.timestamp + 299)).toBe('accepted');
  });

  it('rotates: old and new secret both accepted', async () => {
    const secrets = [SECRET, OLD_SECRET];
    expect(
      await reasonOf(deliver(scheme, signAt(EVENT, NOW, OLD_SECRET), EVENT, { secrets, now: NOW * 1000 })),
    ).toBe('accepted');
    expect(await reasonOf(deliver(scheme, signAt(EVENT), EVENT, { secrets, now: NOW * 1000 }))).toBe(
      'accepted',
    );
  });

  it('keys replays on the signed event_id, so a Slack retry (new timestamp) is a duplicate', async () => {
    expect(
      await replayWithFreshHeaders(
        scheme,
        signAt(EVENT, NOW),
        EVENT,
        SECRET,
        signAt(EVENT, NOW + 30),
        (NOW + 30) * 1000,
      ),
    ).toEqual(['new', 'duplicate']);
    const outcome = await deliver(scheme, signAt(EVENT), EVENT, { secrets: SECRET, now: NOW * 1000 });
    expect(eventOf(outcome).id).toBe('Ev0PV52K21');
  });

  it('answers a signed url_verification with the challenge, and only when signed', async () => {
    const body = JSON.stringify({
      token: 'x',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const reply = replyOf(await deliver(scheme, signAt(body), body, { secrets: SECRET, now: NOW * 1000 }));
    expect(reply).toMatchObject({
      status: 200,
      body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' },
    });
    expect(
      await reasonOf(
        deliver(scheme, signAt(body, NOW, OLD_SECRET), body, { secrets: SECRET, now: NOW * 1000 }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, {}, body, { secrets: SECRET, now: NOW * 1000 }))).toBe(
      'missing_signature',
    );
  });

  it('answers the unsigned ssl_check probe with an empty 200', async () => {
    for (const body of [
      'ssl_check=1',
      'ssl_check=1&token=xyzz0WbapA4vBCDEFasx0q6G',
      'token=abc&ssl_check=1',
    ]) {
      const reply = replyOf(await deliver(scheme, FORM, body, { secrets: SECRET }));
      expect(reply).toEqual({ status: 200 });
    }
    const charset = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    expect(replyOf(await deliver(scheme, charset, 'ssl_check=1', { secrets: SECRET }))).toEqual({
      status: 200,
    });
  });

  it('lets nothing but the exact ssl_check form skip verification', async () => {
    const unsigned = (body: string, headers: Record<string, string> = FORM, method = 'POST') =>
      reasonOf(deliver(scheme, headers, body, { secrets: SECRET, request: { method } }));
    expect(await unsigned('ssl_check=1&command=%2Fdeploy&text=prod')).toBe('missing_signature');
    expect(await unsigned('ssl_check=1&ssl_check=1')).toBe('missing_signature');
    expect(await unsigned('ssl_check=1&token=a&token=b')).toBe('missing_signature');
    expect(await unsigned('ssl_check=0')).toBe('missing_signature');
    expect(await unsigned('ssl_check=true')).toBe('missing_signature');
    expect(await unsigned('token=abc')).toBe('missing_signature');
    expect(await unsigned('ssl_check=1&')).toBe('missing_signature');
    expect(await unsigned('ssl%5Fcheck=1&payload=%7B%7D')).toBe('missing_signature');
    expect(await unsigned('ssl_check=1', { 'content-type': 'application/json' })).toBe('missing_signature');
    expect(await unsigned('{"ssl_check":"1"}', { 'content-type': 'application/json' })).toBe(
      'missing_signature',
    );
    expect(await unsigned('ssl_check=1', {})).toBe('missing_signature');
    expect(await unsigned('ssl_check=1', FORM, 'GET')).toBe('missing_signature');
    expect(await unsigned(`ssl_check=1&token=${'a'.repeat(600)}`)).toBe('missing_signature');
  });
});
