import { createHmac } from 'node:crypto';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { heroku } from './heroku.scheme.js';

// Heroku ships no verifier. SECONDARY: the sender is written independently from Heroku's documented
// formula (devcenter.heroku.com/articles/app-webhooks, "Securing webhook requests"):
//   Heroku-Webhook-Hmac-SHA256 = base64 HMAC-SHA256(webhook secret, raw body)
const SECRET = 'heroku-webhook-secret-0123456789abcdef';
const OLD_SECRET = 'heroku-previous-secret-9876543210';
const BODY = JSON.stringify({
  id: '43f9a0b5-2a7a-4d2c-9e8a-3f5b0c1d2e3f',
  action: 'create',
  resource: 'release',
  data: { id: 'release-1', version: 42, app: { name: 'my-app' } },
  version: 'application/vnd.heroku+json; version=3.webhook',
});
const herokuSender = (secret: string, raw: string) => ({
  'heroku-webhook-hmac-sha256': createHmac('sha256', secret).update(raw).digest('base64'),
  'content-type': 'application/json',
});
const verify = (headers: Record<string, string>, raw = BODY, secrets: string | string[] = SECRET) =>
  reasonOf(deliver(heroku(), headers, raw, { secrets }));

describe('heroku()', () => {
  it('accepts a delivery signed per the documented formula (signing the same value); dispatched on resource.action', async () => {
    const headers = herokuSender(SECRET, BODY);
    expect(heroku().sign({ secret: SECRET, body: BODY })['heroku-webhook-hmac-sha256']).toBe(
      headers['heroku-webhook-hmac-sha256'],
    );
    const event = eventOf(await deliver(heroku(), headers, BODY, { secrets: SECRET }));
    expect(eventNamesOf(heroku(), event)).toEqual(['release.create']);
  });

  it('refuses a tampered body, the wrong secret, and a hex signature', async () => {
    expect(await verify(herokuSender(SECRET, BODY), BODY.replace('"version":42', '"version":43'))).toBe(
      'signature_mismatch',
    );
    expect(await verify(herokuSender(OLD_SECRET, BODY))).toBe('signature_mismatch');
    const hex = createHmac('sha256', SECRET).update(BODY).digest('hex');
    expect(await verify({ 'heroku-webhook-hmac-sha256': hex })).toBe('malformed_signature');
  });

  it('has no timestamp to check, and accepts the old or the new secret (rotation)', async () => {
    expect(heroku().defaultToleranceMs).toBeUndefined();
    expect(await verify(herokuSender(OLD_SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(herokuSender(SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a replay under a fresh unsigned id header (keyed on the signed body)', async () => {
    expect(
      await replayWithFreshHeaders(heroku(), herokuSender(SECRET, BODY), BODY, SECRET, {
        'heroku-webhook-id': 'fresh',
      }),
    ).toEqual(['new', 'duplicate']);
  });
});
