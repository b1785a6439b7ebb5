import { generateKeyPairSync, sign } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { eventOf, reasonOf } from '../testing/scheme-testing.js';
import { WebhookVerifier } from '../verify/webhook-verifier.js';
import { standardWebhooks } from './standard-webhooks.scheme.js';

// Published vector: standard-webhooks libraries/javascript/src/webhook.test.ts (PROVIDERS.md §1).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OTHER_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

const verifierAt = (seconds: number, secrets: string | string[] = VECTOR.secret, toleranceMs?: number) =>
  new WebhookVerifier({
    scheme: standardWebhooks(),
    secrets,
    replayStore: false,
    clock: () => seconds * 1000,
    ...(toleranceMs === undefined ? {} : { toleranceMs }),
  });

const vectorHeaders = (overrides: Record<string, string | string[]> = {}) => ({
  'webhook-id': VECTOR.id,
  'webhook-timestamp': String(VECTOR.timestamp),
  'webhook-signature': VECTOR.signature,
  ...overrides,
});

const verifyVector = (
  headers: Record<string, string | string[]>,
  body = VECTOR.payload,
  at = VECTOR.timestamp,
) => verifierAt(at).receive({ headers, rawBody: Buffer.from(body) });

describe('standardWebhooks()', () => {
  it('accepts the published test vector', async () => {
    const outcome = await verifyVector(vectorHeaders());
    expect(eventOf(outcome).id).toBe(VECTOR.id);
    expect(eventOf(outcome).timestamp?.getTime()).toBe(VECTOR.timestamp * 1000);
    expect(eventOf(outcome).payload).toEqual({ test: 2432232314 });
  });

  it('accepts deliveries signed by the official standardwebhooks library', async () => {
    const secret = 'whsec_' + Buffer.alloc(32, 3).toString('base64');
    const body = JSON.stringify({ type: 'invoice.paid', amount: 12 });
    const now = new Date();
    const signature = new StandardWebhook(secret).sign('msg_official', now, body);
    const outcome = await verifierAt(Math.floor(now.getTime() / 1000), secret).receive({
      headers: {
        'webhook-id': 'msg_official',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      rawBody: Buffer.from(body),
    });
    expect(eventOf(outcome).type).toBe('invoice.paid');
  });

  it('accepts svix-* headers signed by the official svix library', async () => {
    const secret = 'whsec_' + Buffer.alloc(32, 4).toString('base64');
    const body = '{"type":"user.created"}';
    const now = new Date();
    const signature = new SvixWebhook(secret).sign('msg_svix', now, body);
    const seconds = Math.floor(now.getTime() / 1000);
    const outcome = await verifierAt(seconds, secret).receive({
      headers: { 'svix-id': 'msg_svix', 'svix-timestamp': String(seconds), 'svix-signature': signature },
      rawBody: Buffer.from(body),
    });
    expect(eventOf(outcome).id).toBe('msg_svix');
  });

  it('signs what the official library verifies (the test signer is proven)', () => {
    const secret = 'whsec_' + Buffer.alloc(32, 5).toString('base64');
    const body = '{"type":"ping"}';
    const headers = standardWebhooks().sign({ secret, body, id: 'msg_ours' });
    expect(new StandardWebhook(secret).verify(body, headers)).toEqual({ type: 'ping' });
    expect(() => new SvixWebhook(secret).verify(body, headers)).not.toThrow();
  });

  it('reproduces the published signature', () => {
    const headers = standardWebhooks().sign({
      secret: VECTOR.secret,
      body: VECTOR.payload,
      id: VECTOR.id,
      timestamp: VECTOR.timestamp * 1000,
    });
    expect(headers['webhook-signature']).toBe(VECTOR.signature);
  });

  it('refuses a tampered body, id or timestamp', async () => {
    expect(await reasonOf(verifyVector(vectorHeaders(), '{"test": 2432232315}'))).toBe('signature_mismatch');
    expect(await reasonOf(verifyVector(vectorHeaders({ 'webhook-id': 'msg_other' })))).toBe(
      'signature_mismatch',
    );
    expect(
      await reasonOf(
        verifyVector(
          vectorHeaders({ 'webhook-timestamp': String(VECTOR.timestamp + 1) }),
          VECTOR.payload,
          VECTOR.timestamp + 1,
        ),
      ),
    ).toBe('signature_mismatch');
  });

  it('refuses the wrong secret', async () => {
    const verifier = verifierAt(VECTOR.timestamp, OTHER_SECRET);
    expect(
      await reasonOf(verifier.receive({ headers: vectorHeaders(), rawBody: Buffer.from(VECTOR.payload) })),
    ).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps, 5 minutes both ways by default', async () => {
    expect(await reasonOf(verifyVector(vectorHeaders(), VECTOR.payload, VECTOR.timestamp + 301))).toBe(
      'timestamp_expired',
    );
    expect(await reasonOf(verifyVector(vectorHeaders(), VECTOR.payload, VECTOR.timestamp - 301))).toBe(
      'timestamp_in_future',
    );
    expect(await reasonOf(verifyVector(vectorHeaders(), VECTOR.payload, VECTOR.timestamp + 299))).toBe(
      'accepted',
    );
    const strict = verifierAt(VECTOR.timestamp + 61, VECTOR.secret, 60_000);
    expect(
      await reasonOf(strict.receive({ headers: vectorHeaders(), rawBody: Buffer.from(VECTOR.payload) })),
    ).toBe('timestamp_expired');
  });

  it('accepts any of several secrets and any of several signatures (rotation)', async () => {
    const rotated = verifierAt(VECTOR.timestamp, [OTHER_SECRET, VECTOR.secret]);
    const other = standardWebhooks().sign({
      secret: OTHER_SECRET,
      body: VECTOR.payload,
      id: VECTOR.id,
      timestamp: VECTOR.timestamp * 1000,
    });
    const both = `${other['webhook-signature']} ${VECTOR.signature}`;
    expect(
      await reasonOf(rotated.receive({ headers: vectorHeaders(), rawBody: Buffer.from(VECTOR.payload) })),
    ).toBe('accepted');
    expect(await reasonOf(verifyVector(vectorHeaders({ 'webhook-signature': both })))).toBe('accepted');
    expect(
      await reasonOf(verifyVector(vectorHeaders({ 'webhook-signature': other['webhook-signature']! }))),
    ).toBe('signature_mismatch');
  });

  it('answers missing and malformed headers with clear reasons', async () => {
    const { 'webhook-signature': _s, ...noSignature } = vectorHeaders();
    const { 'webhook-id': _i, ...noId } = vectorHeaders();
    const { 'webhook-timestamp': _t, ...noTimestamp } = vectorHeaders();
    expect(await reasonOf(verifyVector(noSignature))).toBe('missing_signature');
    expect(await reasonOf(verifyVector(noId))).toBe('missing_header');
    expect(await reasonOf(verifyVector(noTimestamp))).toBe('missing_header');
    expect(await reasonOf(verifyVector(vectorHeaders({ 'webhook-timestamp': '16142653.30' })))).toBe(
      'malformed_header',
    );
    expect(await reasonOf(verifyVector(vectorHeaders({ 'webhook-signature': 'v1,not*base64' })))).toBe(
      'malformed_signature',
    );
    expect(await reasonOf(verifyVector(vectorHeaders({ 'webhook-signature': 'v2,abc' })))).toBe(
      'malformed_signature',
    );
    expect(
      await reasonOf(
        verifyVector(vectorHeaders({ 'webhook-signature': [VECTOR.signature, VECTOR.signature] })),
      ),
    ).toBe('malformed_header');
    expect(
      await reasonOf(verifyVector(vectorHeaders({ 'webhook-signature': `${VECTOR.signature} `.repeat(17) }))),
    ).toBe('too_many_signatures');
    expect(await reasonOf(verifyVector(vectorHeaders({ 'webhook-id': 'x'.repeat(9000) })))).toBe(
      'malformed_header',
    );
  });

  it('reads header names in any case', async () => {
    const outcome = await verifyVector({
      'Webhook-Id': VECTOR.id,
      'WEBHOOK-TIMESTAMP': String(VECTOR.timestamp),
      'Webhook-Signature': VECTOR.signature,
    });
    expect(eventOf(outcome).id).toBe(VECTOR.id);
  });

  it('refuses unusable secrets with a message that names the fault, not the secret', () => {
    const scheme = standardWebhooks();
    expect(() => scheme.importKey(' ' + VECTOR.secret)).toThrow(/whitespace/);
    expect(() => scheme.importKey('whsec_not-base64!')).toThrow(/base64/);
    expect(() => scheme.importKey('whsec_' + Buffer.alloc(8).toString('base64'))).toThrow(/8 bytes/);
    try {
      scheme.importKey('whsec_not-base64!');
    } catch (error) {
      expect(String(error)).not.toContain('not-base64!');
    }
    expect(standardWebhooks({ secretFormat: 'raw' }).importKey('a raw key of enough bytes')).toEqual(
      Buffer.from('a raw key of enough bytes'),
    );
  });
});

// Published v1a vector: svix-webhooks server/svix-server/src/worker.rs test_asymmetric_key_signing
// (PROVIDERS.md §1): same id, timestamp and payload as VECTOR.
const V1A = {
  secretKey: 'whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==',
  publicKey: 'whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=',
  signature: 'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==',
};
const otherEd25519 = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  return {
    secretKey: 'whsk_' + Buffer.concat([seed, raw]).toString('base64'),
    publicKey: 'whpk_' + raw.toString('base64'),
  };
};

describe('standardWebhooks() v1a (ed25519)', () => {
  const verifyV1a = (secrets: string | string[], signature = V1A.signature, body = VECTOR.payload) =>
    verifierAt(VECTOR.timestamp, secrets).receive({
      headers: vectorHeaders({ 'webhook-signature': signature }),
      rawBody: Buffer.from(body),
    });

  it('accepts the published v1a vector with the whpk_ public key, and with the whsk_ secret key', async () => {
    const outcome = await verifyV1a(V1A.publicKey);
    expect(eventOf(outcome).id).toBe(VECTOR.id);
    expect(await reasonOf(verifyV1a(V1A.secretKey))).toBe('accepted');
  });

  it('signs v1a with a whsk_ key and reproduces the published signature (ed25519 is deterministic)', () => {
    const headers = standardWebhooks().sign({
      secret: V1A.secretKey,
      body: VECTOR.payload,
      id: VECTOR.id,
      timestamp: VECTOR.timestamp * 1000,
    });
    expect(headers['webhook-signature']).toBe(V1A.signature);
  });

  it('refuses a tampered body, id or timestamp under v1a', async () => {
    expect(await reasonOf(verifyV1a(V1A.publicKey, V1A.signature, '{"test": 2432232315}'))).toBe(
      'signature_mismatch',
    );
    const verifier = verifierAt(VECTOR.timestamp, V1A.publicKey);
    const tampered = (overrides: Record<string, string>) =>
      reasonOf(
        verifier.receive({
          headers: vectorHeaders({ 'webhook-signature': V1A.signature, ...overrides }),
          rawBody: Buffer.from(VECTOR.payload),
        }),
      );
    expect(await tampered({ 'webhook-id': 'msg_other' })).toBe('signature_mismatch');
    expect(await tampered({ 'webhook-timestamp': String(VECTOR.timestamp + 1) })).toBe('signature_mismatch');
  });

  it('refuses the wrong public key, and a stale or future v1a delivery', async () => {
    expect(await reasonOf(verifyV1a(otherEd25519().publicKey))).toBe('signature_mismatch');
    const at = (seconds: number) =>
      reasonOf(
        verifierAt(seconds, V1A.publicKey).receive({
          headers: vectorHeaders({ 'webhook-signature': V1A.signature }),
          rawBody: Buffer.from(VECTOR.payload),
        }),
      );
    expect(await at(VECTOR.timestamp + 301)).toBe('timestamp_expired');
    expect(await at(VECTOR.timestamp - 301)).toBe('timestamp_in_future');
  });

  it('checks v1 entries only with HMAC keys and v1a entries only with ed25519 keys', async () => {
    expect(await reasonOf(verifyV1a(VECTOR.secret))).toBe('signature_mismatch');
    expect(await reasonOf(verifyV1a(V1A.publicKey, VECTOR.signature))).toBe('signature_mismatch');
    const both = `${VECTOR.signature} ${V1A.signature}`;
    expect(await reasonOf(verifyV1a(VECTOR.secret, both))).toBe('accepted');
    expect(await reasonOf(verifyV1a(V1A.publicKey, both))).toBe('accepted');
  });

  it('rotates between keys of either kind', async () => {
    const other = otherEd25519();
    expect(await reasonOf(verifyV1a([other.publicKey, V1A.publicKey]))).toBe('accepted');
    expect(await reasonOf(verifyV1a([OTHER_SECRET, V1A.publicKey]))).toBe('accepted');
    const newSignature = standardWebhooks().sign({
      secret: other.secretKey,
      body: VECTOR.payload,
      id: VECTOR.id,
      timestamp: VECTOR.timestamp * 1000,
    })['webhook-signature']!;
    expect(await reasonOf(verifyV1a(V1A.publicKey, `${newSignature} ${V1A.signature}`))).toBe('accepted');
    expect(await reasonOf(verifyV1a(V1A.publicKey, newSignature))).toBe('signature_mismatch');
  });

  it('refuses malformed or damaged ed25519 keys and signing with a public key', () => {
    const scheme = standardWebhooks();
    expect(() => scheme.importKey('whpk_' + Buffer.alloc(31, 1).toString('base64'))).toThrow(/whpk_/);
    expect(() => scheme.importKey('whpk_not*base64')).toThrow(/whpk_/);
    const raw = Buffer.from(V1A.secretKey.slice(5), 'base64');
    raw[40]! ^= 1; // the public half no longer belongs to the seed
    expect(() => scheme.importKey('whsk_' + raw.toString('base64'))).toThrow(/whsk_/);
    expect(() => scheme.sign({ secret: V1A.publicKey, body: '{}' })).toThrow(/public key cannot sign/);
    try {
      scheme.importKey('whsk_' + raw.toString('base64'));
    } catch (error) {
      expect(String(error)).not.toContain(raw.toString('base64'));
    }
  });

  it('checks at most 2 v1a entries per delivery: a third is refused with a clear reason before any key checks one', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const forged = `v1a,${sign(null, Buffer.from('other message'), other).toString('base64')}`;
    expect(await reasonOf(verifyV1a(V1A.publicKey, `${forged} ${V1A.signature}`))).toBe('accepted');
    // Refused in parse(), so no key ever checks an entry past the bound.
    const parse = (signature: string) =>
      standardWebhooks().parse(vectorHeaders({ 'webhook-signature': signature }), {
        limits: { maxHeaderLength: 8192, maxSignatures: 16 },
        rawBody: Buffer.from(VECTOR.payload),
      });
    expect(parse(`${forged} ${V1A.signature}`).ed25519Signatures).toHaveLength(2);
    expect(() => parse(`${forged} ${forged} ${V1A.signature}`)).toThrow(
      expect.objectContaining({
        reason: 'too_many_signatures',
        message: expect.stringMatching(/more than 2 v1a/),
      }),
    );
    await expect(verifyV1a(V1A.publicKey, `${forged} ${forged} ${V1A.signature}`)).rejects.toMatchObject({
      reason: 'too_many_signatures',
    });
    // v1 (HMAC) entries are bounded by maxSignatures only.
    const v1 = Array.from({ length: 6 }, () => VECTOR.signature).join(' ');
    expect(
      await reasonOf(verifyVector(vectorHeaders({ 'webhook-signature': `${v1} ${forged} ${forged}` }))),
    ).toBe('accepted');
  });

  it('refuses a v1a entry that is not a 64-byte signature', async () => {
    expect(await reasonOf(verifyV1a(V1A.publicKey, 'v1a,' + Buffer.alloc(32).toString('base64')))).toBe(
      'malformed_signature',
    );
  });
});
