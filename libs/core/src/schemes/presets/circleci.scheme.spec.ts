import { createHmac } from 'node:crypto';
import {
  deliver,
  eventOf,
  reasonOf,
  replayWithFreshHeaders,
  secondDeliveryKind,
} from '../../testing/scheme-testing.js';
import { circleci } from './circleci.scheme.js';

// CircleCI ships no verifier. SECONDARY: the sender is written independently from CircleCI's
// documented formula (circleci.com/docs/outbound-webhooks):
//   circleci-signature = "v1=" + hex HMAC-SHA256(secret token, raw body); other versions may follow, comma-separated
const SECRET = 'circleci-webhook-secret-0123456789';
const OLD_SECRET = 'circleci-previous-secret-98765432';
const body = (id = '3888f21b-eaa7-38e3-8f3d-75a63bba8895', status = 'success') =>
  JSON.stringify({
    id,
    type: 'workflow-completed',
    happened_at: '2026-11-30T10:00:00.000Z',
    webhook: { id: 'cf8c4fdd-0587-4da1-b4ca-4846e9640af9', name: 'Sample' },
    workflow: { id: 'fda08377-fe7e-46b1-8992-3a7aaecac9c3', name: 'build', status },
  });
const BODY = body();
const circleSender = (secret: string, raw: string) => ({
  'circleci-signature': 'v1=' + createHmac('sha256', secret).update(raw).digest('hex'),
  'circleci-event-type': 'workflow-completed',
  'content-type': 'application/json',
});
const verify = (headers: Record<string, string>, raw = BODY, secrets: string | string[] = SECRET) =>
  reasonOf(deliver(circleci(), headers, raw, { secrets }));

describe('circleci()', () => {
  it('accepts a delivery signed per the documented formula (signing the same value); id and type from the body', async () => {
    const headers = circleSender(SECRET, BODY);
    expect(circleci().sign({ secret: SECRET, body: BODY })['circleci-signature']).toBe(
      headers['circleci-signature'],
    );
    const event = eventOf(await deliver(circleci(), headers, BODY, { secrets: SECRET }));
    expect(event).toMatchObject({ id: '3888f21b-eaa7-38e3-8f3d-75a63bba8895', type: 'workflow-completed' });
    expect(event.signed).toMatchObject({ id: true, type: true });
  });

  it('skips signatures of other versions, and refuses a header with no v1', async () => {
    const v1 = circleSender(SECRET, BODY)['circleci-signature'];
    expect(await verify({ 'circleci-signature': `v2=${'a'.repeat(64)},${v1}` })).toBe('accepted');
    expect(await verify({ 'circleci-signature': `v2=${'a'.repeat(64)}` })).toBe('malformed_signature');
  });

  it('refuses a tampered body and the wrong secret', async () => {
    expect(await verify(circleSender(SECRET, BODY), body(undefined, 'failed'))).toBe('signature_mismatch');
    expect(await verify(circleSender(OLD_SECRET, BODY))).toBe('signature_mismatch');
  });

  it('has no timestamp to check, and accepts the old or the new secret (rotation)', async () => {
    expect(circleci().defaultToleranceMs).toBeUndefined();
    expect(await verify(circleSender(OLD_SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(circleSender(SECRET, BODY), BODY, [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a replay under a fresh unsigned event-type header, and a redelivery of the same id', async () => {
    expect(
      await replayWithFreshHeaders(circleci(), circleSender(SECRET, BODY), BODY, SECRET, {
        'circleci-event-type': 'job-completed',
      }),
    ).toEqual(['new', 'duplicate']);
    const first = { headers: circleSender(SECRET, BODY), rawBody: BODY };
    const spaced = BODY.replace('"type":', '"type" :');
    expect(
      await secondDeliveryKind(
        circleci(),
        first,
        { headers: circleSender(SECRET, spaced), rawBody: spaced },
        { secrets: SECRET },
      ),
    ).toBe('duplicate');
  });
});
