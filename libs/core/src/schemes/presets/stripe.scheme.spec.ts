import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { stripe } from './stripe.scheme.js';

const sdk = new Stripe('sk_test_conformance');
const SECRET = 'whsec_test_secret';
const OLD_SECRET = 'whsec_previous_secret_value';
const BODY = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid' });
const NOW = 1_700_000_000;

const sdkHeader = (payload = BODY, secret = SECRET, timestamp = NOW) =>
  sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp });
const at = (seconds: number, secrets: string | string[] = SECRET) => ({ secrets, now: seconds * 1000 });

describe('stripe()', () => {
  const scheme = stripe();

  it('accepts a header from the official SDK (generateTestHeaderString) and reads type from the body', async () => {
    const outcome = await deliver(scheme, { 'stripe-signature': sdkHeader() }, BODY, at(NOW));
    expect(eventOf(outcome)).toMatchObject({ id: 'evt_1', type: 'invoice.paid', scheme: 'stripe' });
    expect(eventOf(outcome).timestamp?.getTime()).toBe(NOW * 1000);
  });

  it('reproduces the SDK-generated value in PROVIDERS.md and signs what constructEvent accepts', () => {
    const headers = scheme.sign({ secret: SECRET, body: '{"id":"evt_1"}', timestamp: NOW * 1000 });
    expect(headers['stripe-signature']).toBe(
      't=1700000000,v1=248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618b9bf8ea9c9a',
    );
    const fresh = scheme.sign({ secret: SECRET, body: BODY });
    expect(sdk.webhooks.constructEvent(BODY, fresh['stripe-signature']!, SECRET).id).toBe('evt_1');
  });

  it('keys the HMAC with the whole whsec_ string, not its base64 decoding', async () => {
    const decodedKey = Buffer.from(SECRET.slice(6), 'base64');
    const wrong = createHmac('sha256', decodedKey).update(`${NOW}.${BODY}`).digest('hex');
    expect(
      await reasonOf(deliver(scheme, { 'stripe-signature': `t=${NOW},v1=${wrong}` }, BODY, at(NOW))),
    ).toBe('signature_mismatch');
  });

  it('refuses a tampered body and the wrong secret', async () => {
    const header = { 'stripe-signature': sdkHeader() };
    expect(await reasonOf(deliver(scheme, header, BODY.replace('evt_1', 'evt_2'), at(NOW)))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, header, BODY, at(NOW, 'whsec_another_secret')))).toBe(
      'signature_mismatch',
    );
    const movedTimestamp = { 'stripe-signature': sdkHeader().replace(`t=${NOW}`, `t=${NOW + 1}`) };
    expect(await reasonOf(deliver(scheme, movedTimestamp, BODY, at(NOW)))).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps (5 minutes, both ways)', async () => {
    const header = { 'stripe-signature': sdkHeader() };
    expect(await reasonOf(deliver(scheme, header, BODY, at(NOW + 301)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, header, BODY, at(NOW - 301)))).toBe('timestamp_in_future');
    expect(await reasonOf(deliver(scheme, header, BODY, at(NOW + 299)))).toBe('accepted');
  });

  it('rotates: old and new secret both accepted; several v1 entries, other schemes ignored', async () => {
    const oldHeader = { 'stripe-signature': sdkHeader(BODY, OLD_SECRET) };
    const newHeader = { 'stripe-signature': sdkHeader() };
    expect(await reasonOf(deliver(scheme, oldHeader, BODY, at(NOW, [SECRET, OLD_SECRET])))).toBe('accepted');
    expect(await reasonOf(deliver(scheme, newHeader, BODY, at(NOW, [SECRET, OLD_SECRET])))).toBe('accepted');
    const v1Old = sdkHeader(BODY, OLD_SECRET).split(',')[1]!;
    const v1New = sdkHeader().split(',')[1]!;
    const both = { 'stripe-signature': `t=${NOW},v0=${'ab'.repeat(32)},${v1Old},${v1New}` };
    expect(await reasonOf(deliver(scheme, both, BODY, at(NOW)))).toBe('accepted');
    // A valid MAC under another scheme name is not a v1 signature.
    const asV0 = { 'stripe-signature': `t=${NOW},${v1Old},${v1New.replace('v1=', 'v0=')}` };
    expect(await reasonOf(deliver(scheme, asV0, BODY, at(NOW)))).toBe('signature_mismatch');
  });

  it('takes the replay key from the signed event id, so a retry of one event is a duplicate', async () => {
    const first = { 'stripe-signature': sdkHeader(BODY, SECRET, NOW) };
    const retry = { 'stripe-signature': sdkHeader(BODY, SECRET, NOW + 60) };
    expect(await replayWithFreshHeaders(scheme, first, BODY, SECRET, retry, (NOW + 60) * 1000)).toEqual([
      'new',
      'duplicate',
    ]);
    const otherEvent = BODY.replace('evt_1', 'evt_2');
    const parsed = scheme.parse(first, {
      limits: { maxHeaderLength: 8192, maxSignatures: 16 },
      rawBody: Buffer.from(BODY),
    });
    expect(scheme.replayId!(parsed, Buffer.from(BODY))).not.toBe(
      scheme.replayId!(parsed, Buffer.from(otherEvent)),
    );
  });

  it('answers malformed headers with clear reasons', async () => {
    const v1 = sdkHeader().split(',')[1]!;
    const reason = (header: string | undefined) =>
      reasonOf(deliver(scheme, header === undefined ? {} : { 'stripe-signature': header }, BODY, at(NOW)));
    expect(await reason(undefined)).toBe('missing_signature');
    expect(await reason(v1)).toBe('malformed_header');
    expect(await reason(`t=${NOW}`)).toBe('malformed_signature');
    expect(await reason(`t=${NOW},v1=xyz`)).toBe('malformed_signature');
    expect(await reason(`t=${NOW},t=${NOW},${v1}`)).toBe('malformed_header');
    expect(await reason(`t=soon,${v1}`)).toBe('malformed_header');
    expect(await reason(`t=${NOW},` + `${v1},`.repeat(17))).toBe('too_many_signatures');
  });

  it('refuses secrets with stray whitespace without echoing them', () => {
    expect(() => scheme.importKey(` ${SECRET}`)).toThrow(/whitespace/);
    try {
      scheme.importKey(`${SECRET}\n`);
    } catch (error) {
      expect(String(error)).not.toContain(SECRET);
    }
  });
});
