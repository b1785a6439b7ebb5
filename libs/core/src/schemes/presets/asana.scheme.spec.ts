import { createHmac } from 'node:crypto';
import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { WebhookVerifier } from '../../verify/webhook-verifier.js';
import type { HandshakeRequest } from '../webhook-scheme.interface.js';
import { asana } from './asana.scheme.js';

const SECRET = 'a8e4bd5c0d0c2a4cf1e2b2f6f38b3d7e';
const BODY = '{"events":[{"action":"changed","resource":{"gid":"1"}}]}';
// Independent computation of the documented formula: hex HMAC-SHA256(X-Hook-Secret, body).
const reference = (body = BODY, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const request = (signature = reference(), body = BODY) => ({
  headers: { 'x-hook-signature': signature },
  rawBody: body,
});
const scheme = () => asana({ onHandshake: () => true });

describe('asana() (signature SECONDARY; no official signer or verifier: checked against node:crypto)', () => {
  it('needs onHandshake at factory time', () => {
    expect(() => asana({} as never)).toThrow(/onHandshake/);
  });

  it('accepts hex HMAC-SHA256(X-Hook-Secret, body) computed with node:crypto', async () => {
    expect(await reasonOf(verifyWith(scheme(), request(), { secrets: SECRET }))).toBe('accepted');
  });

  it('refuses a tampered body and the wrong secret', async () => {
    expect(
      await reasonOf(
        verifyWith(scheme(), request(reference(), BODY.replace('"1"', '"2"')), { secrets: SECRET }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(scheme(), request(), { secrets: 'other-asana-secret-00' }))).toBe(
      'signature_mismatch',
    );
  });

  it('accepts the old or the new secret (rotation)', async () => {
    expect(
      await reasonOf(verifyWith(scheme(), request(), { secrets: ['new-asana-secret-0000', SECRET] })),
    ).toBe('accepted');
  });

  it('hands the X-Hook-Secret handshake to onHandshake and echoes the header on 200', async () => {
    const seen: string[] = [];
    const onHandshake = (secret: string, handshake: HandshakeRequest) => {
      seen.push(`${handshake.method}:${secret}`);
      return true;
    };
    const verifier = new WebhookVerifier({
      scheme: asana({ onHandshake }),
      secrets: SECRET,
      replayStore: false,
    });
    const outcome = await verifier.receive({
      method: 'POST',
      headers: { 'x-hook-secret': 'new-hook-secret-123' },
      rawBody: Buffer.alloc(0),
    });
    expect(outcome).toEqual({
      kind: 'handshake',
      reply: { status: 200, headers: { 'x-hook-secret': 'new-hook-secret-123' } },
    });
    expect(seen).toEqual(['POST:new-hook-secret-123']);
  });

  it('confirms only on an explicit true: a hook that returns nothing refuses, an async true confirms', async () => {
    const attempt = (onHandshake: () => boolean | Promise<boolean>) =>
      reasonOf(
        new WebhookVerifier({ scheme: asana({ onHandshake }), secrets: SECRET, replayStore: false }).receive({
          headers: { 'x-hook-secret': 'attacker-chosen' },
          rawBody: Buffer.alloc(0),
        }),
      );
    expect(await attempt((() => undefined) as never)).toBe('missing_signature');
    expect(await attempt(() => Promise.resolve(false))).toBe('missing_signature');
    expect(await attempt(() => Promise.resolve(true))).toBe('accepted');
  });

  it('refuses a handshake onHandshake declines, and a malformed secret', async () => {
    const verifier = new WebhookVerifier({
      scheme: asana({ onHandshake: () => false }),
      secrets: SECRET,
      replayStore: false,
    });
    expect(
      await reasonOf(
        verifier.receive({ headers: { 'x-hook-secret': 'attacker-chosen' }, rawBody: Buffer.alloc(0) }),
      ),
    ).toBe('missing_signature');
    expect(
      await reasonOf(
        verifier.receive({ headers: { 'x-hook-secret': 'two words' }, rawBody: Buffer.alloc(0) }),
      ),
    ).toBe('malformed_header');
  });

  it('refuses a replay of a processed event', async () => {
    expect(await secondDeliveryKind(scheme(), request(), request(), { secrets: SECRET })).toBe('duplicate');
  });
});
