import { generateKeyPairSync, sign as edSign } from 'node:crypto';
import Telnyx from 'telnyx';
import {
  deliver,
  eventOf,
  reasonOf,
  replayWithFreshHeaders,
  secondDeliveryKind,
} from '../../testing/scheme-testing.js';
import { telnyx } from './telnyx.scheme.js';

/** A Telnyx-style key pair: the public key as the portal shows it (base64), the seed for signing. */
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    seed: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16).toString('base64'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64'),
  };
}
const KEYS = keyPair();
const OLD_KEYS = keyPair();
const NOW = 1_763_800_000;
const body = (id = '0ccc7b54-4df3-4bca-a65a-3da1ecc777f0') =>
  JSON.stringify({
    data: {
      event_type: 'call.initiated',
      id,
      occurred_at: '2026-11-22T08:26:40.000000Z',
      payload: { call_control_id: 'v3:abc', direction: 'incoming' },
      record_type: 'event',
    },
    meta: { attempt: 1, delivered_to: 'https://example.com/webhooks/telnyx' },
  });
const BODY = body();
/** Telnyx's documented signature, computed independently: ed25519 over `${timestamp}|${body}`. */
const telnyxSender = (privateKey: typeof KEYS.privateKey, rawBody: string, timestamp: number) => ({
  'telnyx-signature-ed25519': edSign(null, Buffer.from(`${timestamp}|${rawBody}`), privateKey).toString(
    'base64',
  ),
  'telnyx-timestamp': String(timestamp),
  'content-type': 'application/json',
});
const at = (seconds: number, secrets: string | string[] = KEYS.publicKey) => ({
  secrets,
  now: seconds * 1000,
});

describe('telnyx()', () => {
  const scheme = telnyx();

  it("signs what the official telnyx SDK's webhooks.unwrap accepts, and the SDK refuses it tampered or under another key", async () => {
    const headers = scheme.sign({ secret: KEYS.seed, body: BODY });
    const client = new Telnyx({ apiKey: 'KEY_TEST', publicKey: KEYS.publicKey });
    const event = (await client.webhooks.unwrap(BODY, { headers })) as { data: { id: string } };
    expect(event.data.id).toBe('0ccc7b54-4df3-4bca-a65a-3da1ecc777f0');
    await expect(client.webhooks.unwrap(BODY.replace('incoming', 'outgoing'), { headers })).rejects.toThrow(
      /Signature verification failed/,
    );
    await expect(client.webhooks.unwrap(BODY, { headers, key: OLD_KEYS.publicKey })).rejects.toThrow(
      /Signature verification failed/,
    );
  });

  it('accepts the documented signature and reads the id and type from the signed body', async () => {
    const outcome = await deliver(scheme, telnyxSender(KEYS.privateKey, BODY, NOW), BODY, at(NOW));
    expect(eventOf(outcome)).toMatchObject({
      id: '0ccc7b54-4df3-4bca-a65a-3da1ecc777f0',
      type: 'call.initiated',
      signed: { id: true, type: true, timestamp: true, body: true },
    });
    expect(eventOf(outcome).timestamp?.getTime()).toBe(NOW * 1000);
    expect(scheme.sign({ secret: KEYS.seed, body: BODY, timestamp: NOW * 1000 })).toEqual(
      telnyxSender(KEYS.privateKey, BODY, NOW),
    );
  });

  it('refuses a tampered body, a moved timestamp, the wrong key and malformed headers', async () => {
    const headers = telnyxSender(KEYS.privateKey, BODY, NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('incoming', 'outgoing'), at(NOW)))).toBe(
      'signature_mismatch',
    );
    expect(
      await reasonOf(deliver(scheme, { ...headers, 'telnyx-timestamp': String(NOW - 1) }, BODY, at(NOW))),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, OLD_KEYS.publicKey)))).toBe(
      'signature_mismatch',
    );
    expect(
      await reasonOf(deliver(scheme, { ...headers, 'telnyx-signature-ed25519': 'abcd' }, BODY, at(NOW))),
    ).toBe('malformed_signature');
    const { 'telnyx-timestamp': _dropped, ...noTimestamp } = headers;
    expect(await reasonOf(deliver(scheme, noTimestamp, BODY, at(NOW)))).toBe('missing_header');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, 'not-a-key')))).toBe('invalid_secret');
  });

  it('refuses stale and future timestamps (5 minutes both ways, as the SDK)', async () => {
    const headers = telnyxSender(KEYS.privateKey, BODY, NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 301)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW - 301)))).toBe('timestamp_in_future');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 299)))).toBe('accepted');
  });

  it('rotates: deliveries signed by the old or the new key are accepted', async () => {
    for (const keys of [KEYS, OLD_KEYS]) {
      const headers = telnyxSender(keys.privateKey, BODY, NOW);
      expect(
        await reasonOf(deliver(scheme, headers, BODY, at(NOW, [KEYS.publicKey, OLD_KEYS.publicKey]))),
      ).toBe('accepted');
    }
  });

  it('keys replays on the signed data.id: a re-signed retry is a duplicate, another event is new', async () => {
    const now = NOW * 1000;
    const first = { headers: telnyxSender(KEYS.privateKey, BODY, NOW), rawBody: BODY };
    const retry = {
      headers: telnyxSender(KEYS.privateKey, BODY.replace('"attempt":1', '"attempt":2'), NOW + 5),
      rawBody: BODY.replace('"attempt":1', '"attempt":2'),
    };
    expect(await secondDeliveryKind(scheme, first, retry, { secrets: KEYS.publicKey, now })).toBe(
      'duplicate',
    );
    const other = body('1ddd7b54-4df3-4bca-a65a-3da1ecc777f0');
    expect(
      await secondDeliveryKind(
        scheme,
        first,
        { headers: telnyxSender(KEYS.privateKey, other, NOW), rawBody: other },
        {
          secrets: KEYS.publicKey,
          now,
        },
      ),
    ).toBe('new');
    expect(
      await replayWithFreshHeaders(
        scheme,
        first.headers,
        BODY,
        KEYS.publicKey,
        { 'x-request-id': 'fresh' },
        now,
      ),
    ).toEqual(['new', 'duplicate']);
  });
});
