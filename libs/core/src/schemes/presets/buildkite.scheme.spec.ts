import { createHmac } from 'node:crypto';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { buildkite } from './buildkite.scheme.js';

// Buildkite ships no verifier. SECONDARY: the sender is written independently from Buildkite's
// documented formula (buildkite.com/docs/apis/webhooks):
//   X-Buildkite-Signature = "timestamp=<unix s>,signature=" + hex HMAC-SHA256(token, `${timestamp}.${body}`)
const TOKEN = 'buildkite-webhook-token-0123456789';
const OLD_TOKEN = 'buildkite-previous-token-98765432';
const NOW = 1_763_800_000;
const BODY = JSON.stringify({
  event: 'build.finished',
  build: { id: 'f62a1b4d-10f9-4790-bc1c-e2c3a0c80983', state: 'passed' },
});
const bkSender = (token: string, raw: string, seconds = NOW) => ({
  'x-buildkite-signature': `timestamp=${seconds},signature=${createHmac('sha256', token).update(`${seconds}.${raw}`).digest('hex')}`,
  'x-buildkite-event': 'build.finished',
  'content-type': 'application/json',
});
const verify = (
  headers: Record<string, string>,
  raw = BODY,
  secrets: string | string[] = TOKEN,
  now = NOW * 1000,
) => reasonOf(deliver(buildkite(), headers, raw, { secrets, now }));

describe('buildkite()', () => {
  it('accepts a delivery signed per the documented formula (signing the same value); dispatched on the body event', async () => {
    const headers = bkSender(TOKEN, BODY);
    expect(
      buildkite().sign({ secret: TOKEN, body: BODY, timestamp: NOW * 1000 })['x-buildkite-signature'],
    ).toBe(headers['x-buildkite-signature']);
    const event = eventOf(await deliver(buildkite(), headers, BODY, { secrets: TOKEN, now: NOW * 1000 }));
    expect(event.timestamp?.getTime()).toBe(NOW * 1000);
    expect(eventNamesOf(buildkite(), event)).toEqual(['build.finished']);
  });

  it('refuses a tampered body, the wrong token, a moved timestamp, and a token-mode request', async () => {
    expect(await verify(bkSender(TOKEN, BODY), BODY.replace('passed', 'failed'))).toBe('signature_mismatch');
    expect(await verify(bkSender(OLD_TOKEN, BODY))).toBe('signature_mismatch');
    const moved = bkSender(TOKEN, BODY)['x-buildkite-signature'].replace(
      `timestamp=${NOW}`,
      `timestamp=${NOW + 1}`,
    );
    expect(await verify({ 'x-buildkite-signature': moved })).toBe('signature_mismatch');
    expect(await verify({ 'x-buildkite-token': TOKEN })).toBe('missing_signature');
  });

  it('refuses stale and future timestamps (±5 min)', async () => {
    expect(await verify(bkSender(TOKEN, BODY, NOW - 301))).toBe('timestamp_expired');
    expect(await verify(bkSender(TOKEN, BODY, NOW + 301))).toBe('timestamp_in_future');
    expect(await verify(bkSender(TOKEN, BODY, NOW - 299))).toBe('accepted');
  });

  it('accepts the old or the new token (rotation)', async () => {
    expect(await verify(bkSender(OLD_TOKEN, BODY), BODY, [TOKEN, OLD_TOKEN])).toBe('accepted');
    expect(await verify(bkSender(TOKEN, BODY), BODY, [TOKEN, OLD_TOKEN])).toBe('accepted');
  });

  it('refuses a replay under a fresh unsigned event header (keyed on the signed body)', async () => {
    expect(
      await replayWithFreshHeaders(
        buildkite(),
        bkSender(TOKEN, BODY),
        BODY,
        TOKEN,
        { 'x-buildkite-event': 'ping' },
        NOW * 1000,
      ),
    ).toEqual(['new', 'duplicate']);
  });
});
