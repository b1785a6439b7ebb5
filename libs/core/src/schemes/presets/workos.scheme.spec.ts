import { createHmac } from 'node:crypto';
import { WorkOS } from '@workos-inc/node';
import {
  deliver,
  eventOf,
  reasonOf,
  replayWithFreshHeaders,
  secondDeliveryKind,
} from '../../testing/scheme-testing.js';
import { workos } from './workos.scheme.js';

const SECRET = 'workos-webhook-secret-0123456789abc';
const OLD_SECRET = 'workos-previous-secret-9876543210zy';
const NOW = 1_763_800_000_000; // WorkOS timestamps are ms
const payload = (id = 'event_01HBGQ2Z7N3A9WJ4Q1T6D0V8XK') => ({
  id,
  event: 'dsync.user.created',
  data: { id: 'directory_user_01E1X56GH84T3FB41SD6PZGDBX', state: 'active' },
  created_at: '2026-11-22T08:26:40.000Z',
});
// The SDK hashes JSON.stringify(parsed payload); a compact body is what WorkOS sends, and equals it.
const BODY = JSON.stringify(payload());
const sdk = new WorkOS('sk_test_0123456789');
/** WorkOS's header, as the docs show it: `t=<ms>, v1=<hex>`. */
const header = (timestamp: number, signature: string) => ({
  'workos-signature': `t=${timestamp}, v1=${signature}`,
});
const at = (now: number, secrets: string | string[] = SECRET) => ({ secrets, now });

describe('workos()', () => {
  const scheme = workos();

  it("accepts what the official @workos-inc/node computeSignature signs, and the SDK's constructEvent accepts ours", async () => {
    const signature = await sdk.webhooks.computeSignature(NOW, payload(), SECRET);
    const outcome = await deliver(scheme, header(NOW, signature), BODY, at(NOW));
    expect(eventOf(outcome)).toMatchObject({
      id: 'event_01HBGQ2Z7N3A9WJ4Q1T6D0V8XK',
      type: 'dsync.user.created',
      signed: { id: true, type: true, timestamp: true, body: true },
    });
    const ours = scheme.sign({ secret: SECRET, body: BODY });
    const event = await sdk.webhooks.constructEvent({
      payload: JSON.parse(BODY),
      sigHeader: ours['workos-signature']!,
      secret: SECRET,
    });
    expect(event.id).toBe('event_01HBGQ2Z7N3A9WJ4Q1T6D0V8XK');
    await expect(
      sdk.webhooks.constructEvent({
        payload: JSON.parse(BODY),
        sigHeader: ours['workos-signature']!,
        secret: OLD_SECRET,
      }),
    ).rejects.toThrow(/does not match/);
    // The SDK's own header parser reads ours.
    expect(sdk.webhooks.getTimestampAndSignatureHash(ours['workos-signature']!)[1]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a tampered body, a moved timestamp, the wrong secret and malformed headers', async () => {
    const signature = await sdk.webhooks.computeSignature(NOW, payload(), SECRET);
    expect(
      await reasonOf(deliver(scheme, header(NOW, signature), BODY.replace('active', 'inactive'), at(NOW))),
    ).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, header(NOW - 1, signature), BODY, at(NOW)))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, header(NOW, signature), BODY, at(NOW, OLD_SECRET)))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, { 'workos-signature': `v1=${signature}` }, BODY, at(NOW)))).toBe(
      'malformed_header',
    );
    expect(await reasonOf(deliver(scheme, { 'workos-signature': `t=${NOW}` }, BODY, at(NOW)))).toBe(
      'malformed_signature',
    );
    expect(await reasonOf(deliver(scheme, header(NOW / 1000, signature), BODY, at(NOW)))).toBe(
      'timestamp_expired',
    );
  });

  it('refuses stale and future timestamps (3 minutes both ways; the SDK checks the past only)', async () => {
    const signature = await sdk.webhooks.computeSignature(NOW, payload(), SECRET);
    const headers = header(NOW, signature);
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 181_000)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW - 181_000)))).toBe('timestamp_in_future');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 179_000)))).toBe('accepted');
  });

  it('rotates: the old and the new secret are both accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      const signature = await sdk.webhooks.computeSignature(NOW, payload(), secret);
      expect(
        await reasonOf(deliver(scheme, header(NOW, signature), BODY, at(NOW, [SECRET, OLD_SECRET]))),
      ).toBe('accepted');
    }
  });

  it('keys replays on the signed event id: a re-signed copy is a duplicate, another event is new', async () => {
    const first = { headers: scheme.sign({ secret: SECRET, body: BODY, timestamp: NOW }), rawBody: BODY };
    const resigned = {
      headers: scheme.sign({ secret: SECRET, body: BODY, timestamp: NOW + 2000 }),
      rawBody: BODY,
    };
    expect(await secondDeliveryKind(scheme, first, resigned, at(NOW))).toBe('duplicate');
    const other = JSON.stringify(payload('event_01HBGQ2Z7N3A9WJ4Q1T6D0V8XL'));
    const next = { headers: scheme.sign({ secret: SECRET, body: other, timestamp: NOW }), rawBody: other };
    expect(await secondDeliveryKind(scheme, first, next, at(NOW))).toBe('new');
    expect(
      await replayWithFreshHeaders(scheme, first.headers, BODY, SECRET, { 'x-request-id': 'fresh' }, NOW),
    ).toEqual(['new', 'duplicate']);
  });

  it('signs the documented formula: hex HMAC-SHA256 of `${t}.${body}`', () => {
    const ours = scheme.sign({ secret: SECRET, body: BODY, timestamp: NOW });
    const expected = createHmac('sha256', SECRET).update(`${NOW}.${BODY}`).digest('hex');
    expect(ours['workos-signature']).toBe(`t=${NOW},v1=${expected}`);
  });
});
