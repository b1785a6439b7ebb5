import { WebflowClient } from 'webflow-api';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { webflow } from './webflow.scheme.js';

const SECRET = 'webflow-client-secret-0123456789abcdef';
const OLD_SECRET = 'webflow-previous-secret-9876543210';
const NOW = 1_763_800_000_000;
const BODY = JSON.stringify({
  triggerType: 'form_submission',
  payload: { name: 'Contact Us', siteId: '65427cf400e02b306eaa049c', data: { email: 'a@example.com' } },
});
const signedAt = (ms: number, secret = SECRET, body = BODY) => ({
  headers: webflow().sign({ secret, body, timestamp: ms }),
  rawBody: body,
});
const verify = (request: ReturnType<typeof signedAt>, secrets: string | string[] = SECRET, now = NOW) =>
  reasonOf(deliver(webflow(), request.headers, request.rawBody, { secrets, now }));

describe('webflow()', () => {
  it("signs what the official webflow-api SDK's webhooks.verifySignature accepts", async () => {
    const { headers, rawBody } = signedAt(NOW);
    expect(headers['x-webflow-timestamp']).toBe(String(NOW)); // Unix ms, as Webflow sends it
    const client = new WebflowClient({ accessToken: 'webflow-test-token' });
    expect(await client.webhooks.verifySignature({ headers, body: rawBody, secret: SECRET })).toBe(true);
    expect(await client.webhooks.verifySignature({ headers, body: rawBody, secret: OLD_SECRET })).toBe(false);
  });

  it('accepts its signature, with the signed ms timestamp, and dispatches on triggerType', async () => {
    const outcome = await deliver(webflow(), signedAt(NOW).headers, BODY, { secrets: SECRET, now: NOW });
    const event = eventOf(outcome);
    expect(event.timestamp?.getTime()).toBe(NOW);
    expect(eventNamesOf(webflow(), event)).toEqual(['form_submission']);
  });

  it('refuses a tampered body, the wrong secret, and a moved timestamp', async () => {
    const request = signedAt(NOW);
    expect(await verify({ ...request, rawBody: BODY.replace('Contact Us', 'Contact Me') })).toBe(
      'signature_mismatch',
    );
    expect(await verify(request, OLD_SECRET)).toBe('signature_mismatch');
    const moved = { ...request.headers, 'x-webflow-timestamp': String(NOW + 1) };
    expect(await verify({ ...request, headers: moved })).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps (±5 min, as Webflow documents)', async () => {
    expect(await verify(signedAt(NOW - 301_000))).toBe('timestamp_expired');
    expect(await verify(signedAt(NOW + 301_000))).toBe('timestamp_in_future');
    expect(await verify(signedAt(NOW - 299_000))).toBe('accepted');
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(await verify(signedAt(NOW, OLD_SECRET), [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(signedAt(NOW, SECRET), [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses the same body re-signed under a fresh timestamp (replay keyed on the signed body)', async () => {
    const options = { secrets: SECRET, now: NOW };
    expect(await secondDeliveryKind(webflow(), signedAt(NOW), signedAt(NOW + 1_000), options)).toBe(
      'duplicate',
    );
    const other = signedAt(NOW, SECRET, BODY.replace('a@example.com', 'b@example.com'));
    expect(await secondDeliveryKind(webflow(), signedAt(NOW), other, options)).toBe('new');
  });
});
