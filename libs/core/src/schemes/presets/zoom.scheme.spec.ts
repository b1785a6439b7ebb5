import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders, replyOf } from '../../testing/scheme-testing.js';
import { AwsLambdaReceiver } from '@zoom/rivet/users';
import { zoom } from './zoom.scheme.js';

/** Zoom's own verifier (@zoom/rivet 0.4.0): 200 when it accepts a delivery, 400 when it refuses it. */
async function rivetVerdict(secret: string, headers: Record<string, string>, body: string) {
  const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined); // it logs every event
  try {
    const handler = new AwsLambdaReceiver({ webhooksSecretToken: secret }).start() as (
      event: unknown,
      context: unknown,
    ) => Promise<{ statusCode: number; body: string }>;
    const answer = await handler({ headers, body, isBase64Encoded: false }, {});
    return { status: answer.statusCode, body: JSON.parse(answer.body) as unknown };
  } finally {
    debug.mockRestore();
  }
}

// Zoom has no official signer. Its official SDK, @zoom/rivet, verifies (AwsLambdaReceiver, below): it
// accepts our sign() output and computes the same url_validation answer. The sender side used for the
// other cases is written independently from Zoom's documented formula (developers.zoom.us/docs/api/webhooks):
//   message = `v0:${x-zm-request-timestamp}:${body}`; x-zm-signature = `v0=` + hex HMAC-SHA256(secretToken, message)
//   url validation: encryptedToken = hex HMAC-SHA256(secretToken, plainToken)
const zoomSender = (secretToken: string, body: string, timestampSeconds: number) => ({
  'x-zm-request-timestamp': String(timestampSeconds),
  'x-zm-signature':
    'v0=' + createHmac('sha256', secretToken).update(`v0:${timestampSeconds}:${body}`).digest('hex'),
  'content-type': 'application/json',
});
const SECRET = 'zoomSecretToken0123456789abcdef';
const OLD_SECRET = 'previousZoomSecretToken987654321';
const NOW = 1_763_800_000;
const BODY = JSON.stringify({
  event: 'meeting.started',
  event_ts: NOW * 1000,
  payload: { account_id: 'AAAA', object: { id: '123456789' } },
});
const at = (seconds: number, secrets: string | string[] = SECRET) => ({ secrets, now: seconds * 1000 });

describe('zoom()', () => {
  const scheme = zoom();

  it('accepts a delivery signed per the documented formula, and signs the same value', async () => {
    const headers = zoomSender(SECRET, BODY, NOW);
    const outcome = await deliver(scheme, headers, BODY, at(NOW));
    expect(eventOf(outcome).timestamp?.getTime()).toBe(NOW * 1000);
    const ours = scheme.sign({ secret: SECRET, body: BODY, timestamp: NOW * 1000 });
    expect(ours['x-zm-signature']).toBe(headers['x-zm-signature']);
  });

  it("is accepted by Zoom's own verifier (@zoom/rivet), and answers url_validation as it does", async () => {
    const ours = scheme.sign({ secret: SECRET, body: BODY });
    expect((await rivetVerdict(SECRET, ours, BODY)).status).toBe(200);
    expect((await rivetVerdict(OLD_SECRET, ours, BODY)).status).toBe(400);
    const validation = JSON.stringify({
      payload: { plainToken: 'rivet-token' },
      event_ts: Date.now(),
      event: 'endpoint.url_validation',
    });
    const signed = scheme.sign({ secret: SECRET, body: validation });
    const rivet = await rivetVerdict(SECRET, signed, validation);
    const reply = replyOf(await deliver(scheme, signed, validation, { secrets: SECRET }));
    expect(rivet.status).toBe(200);
    expect(reply.body).toEqual(rivet.body);
  });

  it('refuses a tampered body, a moved timestamp and the wrong secret', async () => {
    const headers = zoomSender(SECRET, BODY, NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('started', 'ended'), at(NOW)))).toBe(
      'signature_mismatch',
    );
    const moved = { ...headers, 'x-zm-request-timestamp': String(NOW - 1) };
    expect(await reasonOf(deliver(scheme, moved, BODY, at(NOW)))).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, OLD_SECRET)))).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps (5 minutes, both ways)', async () => {
    const headers = zoomSender(SECRET, BODY, NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 301)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW - 301)))).toBe('timestamp_in_future');
  });

  it('rotates: old and new secret both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      const headers = zoomSender(secret, BODY, NOW);
      expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, [SECRET, OLD_SECRET])))).toBe('accepted');
    }
  });

  it('answers the signed endpoint.url_validation with the token hashed by the secret that verified it', async () => {
    const plainToken = 'qgg8vlvZRS6UYooatFL8Aw';
    const body = JSON.stringify({
      payload: { plainToken },
      event_ts: NOW * 1000,
      event: 'endpoint.url_validation',
    });
    const expected = (secret: string) => createHmac('sha256', secret).update(plainToken).digest('hex');
    const reply = replyOf(await deliver(scheme, zoomSender(SECRET, body, NOW), body, at(NOW)));
    expect(reply).toMatchObject({ status: 200, body: { plainToken, encryptedToken: expected(SECRET) } });
    // During rotation Zoom holds the secret that signed the request, whichever position it has.
    const rotated = replyOf(
      await deliver(scheme, zoomSender(OLD_SECRET, body, NOW), body, at(NOW, [SECRET, OLD_SECRET])),
    );
    expect(rotated.body).toEqual({ plainToken, encryptedToken: expected(OLD_SECRET) });
    expect(
      await reasonOf(deliver(scheme, zoomSender('forged-secret-000000', body, NOW), body, at(NOW))),
    ).toBe('signature_mismatch');
  });

  it('keys replays on the signed timestamp and body: a replay with fresh unsigned headers is a duplicate', async () => {
    const headers = zoomSender(SECRET, BODY, NOW);
    expect(
      await replayWithFreshHeaders(
        scheme,
        headers,
        BODY,
        SECRET,
        { 'x-zm-trackingid': 'v=2.0;clid=x' },
        NOW * 1000,
      ),
    ).toEqual(['new', 'duplicate']);
  });
});
