import OpenAI from 'openai';
import { Webhook } from 'standardwebhooks';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { openai } from './openai.scheme.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const OLD_SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
const BODY = JSON.stringify({
  id: 'evt_685343a1381c819085d44c354e1b330e',
  object: 'event',
  created_at: 1_763_800_000,
  type: 'response.completed',
  data: { id: 'resp_abc123' },
});
const NOW = 1_763_800_000;
/** Standard Webhooks' reference signer (OpenAI's documented scheme). */
const referenceHeaders = (secret: string, id: string, seconds: number, body = BODY) => ({
  'webhook-id': id,
  'webhook-timestamp': String(seconds),
  'webhook-signature': new Webhook(secret).sign(id, new Date(seconds * 1000), body),
});
const at = (seconds: number, secrets: string | string[] = SECRET) => ({ secrets, now: seconds * 1000 });

describe('openai()', () => {
  const scheme = openai();

  it("signs what the official openai SDK's webhooks.unwrap and verifySignature accept, and they refuse it tampered", async () => {
    const client = new OpenAI({ apiKey: 'sk-test', webhookSecret: SECRET });
    const headers = scheme.sign({ secret: SECRET, body: BODY, id: 'wh_685343a1381c819085d44c354e1b330e' });
    const event = await client.webhooks.unwrap(BODY, headers);
    expect(event.type).toBe('response.completed');
    await expect(client.webhooks.verifySignature(BODY + ' ', headers)).rejects.toThrow(/does not match/);
    await expect(client.webhooks.verifySignature(BODY, headers, OLD_SECRET)).rejects.toThrow(
      /does not match/,
    );
  });

  it('accepts the reference Standard Webhooks signer and reads the signed id and the body type', async () => {
    const outcome = await deliver(scheme, referenceHeaders(SECRET, 'wh_1', NOW), BODY, at(NOW));
    expect(eventOf(outcome)).toMatchObject({
      id: 'wh_1',
      type: 'response.completed',
      scheme: 'openai',
      signed: { id: true, type: true, timestamp: true, body: true },
    });
  });

  it('refuses a tampered body, a swapped id and the wrong secret', async () => {
    const headers = referenceHeaders(SECRET, 'wh_1', NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('completed', 'failed'), at(NOW)))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, { ...headers, 'webhook-id': 'wh_2' }, BODY, at(NOW)))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, OLD_SECRET)))).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps (5 minutes both ways, as the SDK)', async () => {
    const headers = referenceHeaders(SECRET, 'wh_1', NOW);
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW + 301)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW - 301)))).toBe('timestamp_in_future');
  });

  it('rotates: a signature by the old or the new secret is accepted', async () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      const headers = referenceHeaders(secret, 'wh_1', NOW);
      expect(await reasonOf(deliver(scheme, headers, BODY, at(NOW, [SECRET, OLD_SECRET])))).toBe('accepted');
    }
  });

  it('keys replays on the signed webhook-id: the same delivery again is a duplicate', async () => {
    const headers = referenceHeaders(SECRET, 'wh_1', NOW);
    expect(
      await replayWithFreshHeaders(scheme, headers, BODY, SECRET, { 'user-agent': 'OpenAI/1.0' }, NOW * 1000),
    ).toEqual(['new', 'duplicate']);
  });
});
