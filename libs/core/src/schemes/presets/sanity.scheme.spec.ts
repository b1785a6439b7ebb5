import { encodeSignatureHeader, isValidSignature } from '@sanity/webhook';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { sanity } from './sanity.scheme.js';

const SECRET = 'sanity-webhook-secret-0123456789';
const OLD_SECRET = 'sanity-previous-secret-987654321';
const BODY = JSON.stringify({ _id: 'movie_123', _type: 'movie', title: 'Alien', _rev: 'rev1' });
const NOW = 1_763_800_000_000; // Sanity timestamps are ms
const signed = async (secret: string, timestamp: number, body = BODY) => ({
  'sanity-webhook-signature': await encodeSignatureHeader(body, timestamp, secret),
  'idempotency-key': 'msg-1',
});
const at = (now: number, secrets: string | string[] = SECRET) => ({ secrets, now });

describe('sanity()', () => {
  const scheme = sanity();

  it('accepts what the official @sanity/webhook encodeSignatureHeader signs, and its isValidSignature accepts ours', async () => {
    const outcome = await deliver(scheme, await signed(SECRET, NOW), BODY, at(NOW));
    expect(eventOf(outcome).timestamp?.getTime()).toBe(NOW);
    expect(eventOf(outcome).payload).toMatchObject({ _id: 'movie_123' });
    const ours = scheme.sign({ secret: SECRET, body: BODY, timestamp: NOW });
    expect(ours['sanity-webhook-signature']).toBe(await encodeSignatureHeader(BODY, NOW, SECRET));
    expect(await isValidSignature(BODY, ours['sanity-webhook-signature']!, SECRET)).toBe(true);
    expect(await isValidSignature(BODY + ' ', ours['sanity-webhook-signature']!, SECRET)).toBe(false);
    expect(await isValidSignature(BODY, ours['sanity-webhook-signature']!, OLD_SECRET)).toBe(false);
  });

  it('refuses a tampered body, a moved timestamp, the wrong secret and a non-base64url signature', async () => {
    const headers = await signed(SECRET, NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('Alien', 'Aliens'), at(NOW)))).toBe(
      'signature_mismatch',
    );
    const moved = headers['sanity-webhook-signature'].replace(`t=${NOW}`, `t=${NOW - 1}`);
    expect(await reasonOf(deliver(scheme, { 'sanity-webhook-signature': moved }, BODY, at(NOW)))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, OLD_SECRET)))).toBe('signature_mismatch');
    const standardBase64 = `t=${NOW},v1=${Buffer.alloc(32, 0xfb).toString('base64')}`;
    expect(
      await reasonOf(deliver(scheme, { 'sanity-webhook-signature': standardBase64 }, BODY, at(NOW))),
    ).toBe('malformed_signature');
  });

  it('refuses stale and future timestamps (5 minutes both ways; the SDK checks none)', async () => {
    const headers = await signed(SECRET, NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 301_000)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW - 301_000)))).toBe('timestamp_in_future');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 299_000)))).toBe('accepted');
  });

  it('rotates: the old and the new secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      expect(
        await reasonOf(deliver(scheme, await signed(secret, NOW), BODY, at(NOW, [SECRET, OLD_SECRET]))),
      ).toBe('accepted');
    }
  });

  it('treats idempotency-key as unsigned: a replay under a fresh one is a duplicate', async () => {
    expect(scheme.signs).toEqual({ id: false, timestamp: true, type: false });
    expect(
      await replayWithFreshHeaders(
        scheme,
        await signed(SECRET, NOW),
        BODY,
        SECRET,
        { 'idempotency-key': 'msg-2' },
        NOW,
      ),
    ).toEqual(['new', 'duplicate']);
  });
});
