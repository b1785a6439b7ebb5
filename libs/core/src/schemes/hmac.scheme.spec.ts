import { createHmac } from 'node:crypto';
import { eventOf, reasonOf } from '../testing/scheme-testing.js';
import { WebhookVerifier } from '../verify/webhook-verifier.js';
import { hmac } from './hmac.scheme.js';

const SECRET = 'an-hmac-secret-of-32-characters!';
const BODY = Buffer.from('{"order":42}');
const hexMac = (algorithm: string, content: string | Buffer, secret = SECRET) =>
  createHmac(algorithm, secret).update(content).digest('hex');

const verify = (
  scheme: ReturnType<typeof hmac>,
  headers: Record<string, string>,
  body = BODY,
  now = Date.now(),
) =>
  new WebhookVerifier({ scheme, secrets: SECRET, replayStore: false, clock: () => now }).receive({
    headers,
    rawBody: body,
  });

describe('hmac()', () => {
  const awsStyle = hmac({ signatureHeader: 'x-hmac', idHeader: 'x-webhook-id', typeHeader: 'x-topic' });

  it('accepts a hex HMAC-SHA256 of the body computed with node:crypto (API Gateway + Lambda senders)', async () => {
    const outcome = await verify(awsStyle, {
      'x-hmac': hexMac('sha256', BODY),
      'x-webhook-id': 'd-1',
      'x-topic': 'orders/create',
    });
    expect(eventOf(outcome)).toMatchObject({ id: 'd-1', type: 'orders/create', scheme: 'hmac' });
    expect(awsStyle.signs).toEqual({ id: false, timestamp: false, type: false });
  });

  it('refuses a tampered body and the wrong secret', async () => {
    expect(
      await reasonOf(verify(awsStyle, { 'x-hmac': hexMac('sha256', BODY) }, Buffer.from('{"order":43}'))),
    ).toBe('signature_mismatch');
    expect(
      await reasonOf(
        verify(awsStyle, { 'x-hmac': hexMac('sha256', BODY, 'another-secret-of-enough-length') }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verify(awsStyle, {}))).toBe('missing_signature');
    expect(await reasonOf(verify(awsStyle, { 'x-hmac': 'zz' }))).toBe('malformed_signature');
  });

  it('supports sha512, sha3-256, base64 and a prefix', async () => {
    const sha512 = hmac({
      signatureHeader: 'x-sig',
      algorithm: 'sha512',
      encoding: 'base64',
      prefix: 'sha512=',
    });
    const base64 = createHmac('sha512', SECRET).update(BODY).digest('base64');
    expect(await reasonOf(verify(sha512, { 'x-sig': `sha512=${base64}` }))).toBe('accepted');
    const sha3 = hmac({ signatureHeader: 'x-sig', algorithm: 'sha3-256' });
    expect(await reasonOf(verify(sha3, { 'x-sig': hexMac('sha3-256', BODY) }))).toBe('accepted');
    expect(await reasonOf(verify(sha3, { 'x-sig': hexMac('sha256', BODY) }))).toBe('signature_mismatch');
  });

  it('allows sha1 only behind the legacy flag', async () => {
    expect(() => hmac({ signatureHeader: 'x-sig', algorithm: 'sha1' })).toThrow(/legacy/);
    const legacy = hmac({ signatureHeader: 'x-sig', algorithm: 'sha1', legacy: true });
    expect(await reasonOf(verify(legacy, { 'x-sig': hexMac('sha1', BODY) }))).toBe('accepted');
  });

  it('signs and checks a template with id and timestamp, and enforces freshness', async () => {
    const scheme = hmac({
      signatureHeader: 'x-sig',
      idHeader: 'x-id',
      timestampHeader: 'x-ts',
      signedContent: '{id}.{timestamp}.{body}',
      toleranceMs: 60_000,
    });
    const now = 1_700_000_000_000;
    const content = Buffer.concat([Buffer.from('evt_1.1700000000.'), BODY]);
    const headers = { 'x-sig': hexMac('sha256', content), 'x-id': 'evt_1', 'x-ts': '1700000000' };
    expect(scheme.signs).toEqual({ id: true, timestamp: true, type: false });
    expect(await reasonOf(verify(scheme, headers, BODY, now))).toBe('accepted');
    expect(await reasonOf(verify(scheme, { ...headers, 'x-id': 'evt_2' }, BODY, now))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(verify(scheme, headers, BODY, now + 61_000))).toBe('timestamp_expired');
    expect(await reasonOf(verify(scheme, { ...headers, 'x-id': '' }, BODY, now))).toBe('missing_header');
    expect(scheme.sign({ secret: SECRET, body: BODY, id: 'evt_1', timestamp: now })['x-sig']).toBe(
      headers['x-sig'],
    );
  });

  it('accepts several signatures when a separator is set (rotation)', async () => {
    const scheme = hmac({ signatureHeader: 'x-sig', separator: ',' });
    const other = hexMac('sha256', BODY, 'the-old-secret-that-was-rotated');
    expect(await reasonOf(verify(scheme, { 'x-sig': `${other},${hexMac('sha256', BODY)}` }))).toBe(
      'accepted',
    );
  });

  it('rejects templates that cannot be verified', () => {
    expect(() => hmac({ signatureHeader: 'x', signedContent: '{id}' })).toThrow(/\{body\}/);
    expect(() => hmac({ signatureHeader: 'x', signedContent: '{id}.{body}' })).toThrow(/idHeader/);
  });
});

describe('hmac() signed-content templates', () => {
  it('refuses a signed id holding the separator, so the signature cannot be re-split into another id', async () => {
    const scheme = hmac({ signatureHeader: 'x-sig', idHeader: 'x-id', signedContent: '{id}.{body}' });
    const body = '2024.{"order":1}';
    // Signed as id "evt.2024" over '{"order":1}' gives the same bytes as id "evt" over this body.
    const headers = { 'x-sig': hexMac('sha256', `evt.${body}`), 'x-id': 'evt' };
    expect(await reasonOf(verify(scheme, headers, Buffer.from(body)))).toBe('accepted');
    const original = { 'x-sig': hexMac('sha256', `evt.${body}`), 'x-id': 'evt.2024' };
    expect(await reasonOf(verify(scheme, original, Buffer.from('{"order":1}')))).toBe('malformed_header');
  });

  it('refuses templates whose bytes split into fields and body more than one way, and says how to fix them', () => {
    const build = (signedContent: string) => () =>
      hmac({
        signatureHeader: 'x-sig',
        idHeader: 'x-id',
        typeHeader: 'x-type',
        timestampHeader: 'x-ts',
        signedContent,
      });
    // `{id}{body}`: id "ab" over "c" and id "a" over "bc" would be one signature.
    for (const template of [
      '{id}{body}',
      '{timestamp}{id}{body}',
      '{body}{type}',
      '{id}{timestamp}.{body}',
      '{timestamp}{body}',
    ]) {
      expect(build(template)).toThrow(
        /directly next to .*Put a separator that cannot occur in the field between them/,
      );
    }
    expect(build('{id}..{body}')).toThrow(/overlaps itself \("\." both starts and ends it\).*single "\."/);
    expect(build('{body}-x-{id}')).toThrow(/overlaps itself/);
    expect(build('{timestamp}1.{body}')).toThrow(/timestamp is digits.*must not start with a digit/);
    expect(build('{body}.2{timestamp}')).toThrow(/must not end with a digit/);
    for (const template of [
      '{body}',
      '{id}.{timestamp}.{body}',
      'v0:{timestamp}:{body}',
      '{id}:{type}|{body}',
      '{body}.{id}',
      'ab{id}ab{body}',
    ]) {
      expect(build(template)).not.toThrow();
    }
  });
});
