import { createHmac } from 'node:crypto';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { calendly } from './calendly.scheme.js';

const SECRET = 'calendly-signing-key-0123456789ab';
const OLD_SECRET = 'calendly-previous-signing-key-9876';
const NOW = 1_763_800_000;
const BODY = JSON.stringify({
  created_at: '2026-11-22T08:26:40.000000Z',
  created_by: 'https://api.calendly.com/users/AAAAAAAAAAAAAAAA',
  event: 'invitee.created',
  payload: { uri: 'https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2/invitees/AAAA' },
});
// No official signer or verifier: an independent computation of the documented formula
// (developer.calendly.com, "Webhook signatures"): `t=<s>,v1=` + hex HMAC-SHA256(signing key, `${t}.${body}`).
const calendlySender = (secret: string, seconds: number, body = BODY) => ({
  'calendly-webhook-signature': `t=${seconds},v1=${createHmac('sha256', secret).update(`${seconds}.${body}`).digest('hex')}`,
  'content-type': 'application/json',
});
const at = (seconds: number, secrets: string | string[] = SECRET) => ({ secrets, now: seconds * 1000 });

describe('calendly() (SECONDARY proof: node:crypto from the documented formula)', () => {
  const scheme = calendly();

  it('accepts the documented signature, signs the same value, and reads the type from the body', async () => {
    const headers = calendlySender(SECRET, NOW);
    const outcome = await deliver(scheme, headers, BODY, at(NOW));
    expect(eventOf(outcome)).toMatchObject({ type: 'invitee.created' });
    expect(eventOf(outcome).timestamp?.getTime()).toBe(NOW * 1000);
    expect(
      scheme.sign({ secret: SECRET, body: BODY, timestamp: NOW * 1000 })['calendly-webhook-signature'],
    ).toBe(headers['calendly-webhook-signature']);
  });

  it('refuses a tampered body, a moved timestamp and the wrong key', async () => {
    const headers = calendlySender(SECRET, NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('created', 'canceled'), at(NOW)))).toBe(
      'signature_mismatch',
    );
    const moved = {
      'calendly-webhook-signature': headers['calendly-webhook-signature'].replace(`t=${NOW}`, `t=${NOW - 1}`),
    };
    expect(await reasonOf(deliver(scheme, moved, BODY, at(NOW)))).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, OLD_SECRET)))).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps (3 minutes both ways)', async () => {
    const headers = calendlySender(SECRET, NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 181)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW - 181)))).toBe('timestamp_in_future');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 179)))).toBe('accepted');
  });

  it('rotates: the old and the new signing key are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, calendlySender(secret, NOW), BODY, at(NOW, [SECRET, OLD_SECRET]))),
      ).toBe('accepted');
    }
  });

  it('keys replays on the signed body: a replay under fresh unsigned headers is a duplicate', async () => {
    expect(
      await replayWithFreshHeaders(
        scheme,
        calendlySender(SECRET, NOW),
        BODY,
        SECRET,
        { 'x-request-id': 'fresh' },
        NOW * 1000,
      ),
    ).toEqual(['new', 'duplicate']);
  });
});
