import { createHmac } from 'node:crypto';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import {
  deliver,
  eventOf,
  reasonAndStatusOf,
  replyOf,
  secondDeliveryKind,
} from '../../testing/scheme-testing.js';
import { xero } from './xero.scheme.js';

// Xero has no official signer or verifier (xero-node ships none). SECONDARY: the sender below is written
// independently from Xero's documented formula (developer.xero.com/documentation/webhooks/configuring-your-server):
//   x-xero-signature = base64 HMAC-SHA256(webhook key, raw body)
const KEY = 'OSd0eLlVIY9ZhViEqlDUh4+6n6M+Lo+eDaEJheJ6OCCgWwIz2D3JIAU6jPMipHRbgKTLz2uJ+xiACXGDBLrgdA==';
const OLD_KEY = 'previous-xero-webhook-key-0123456789abcdef';
const xeroSender = (key: string, body: string) => ({
  'x-xero-signature': createHmac('sha256', key).update(body).digest('base64'),
  'content-type': 'application/json',
});
const PROBE = JSON.stringify({
  events: [],
  firstEventSequence: 0,
  lastEventSequence: 0,
  entropy: 'S0m3r4Nd0mt3xt',
});
const BODY = JSON.stringify({
  events: [
    {
      resourceUrl: 'https://api.xero.com/api.xro/2.0/Invoices/0d24d0d1-3f2a-4b5c-9d6e-7f8091a2b3c4',
      resourceId: '0d24d0d1-3f2a-4b5c-9d6e-7f8091a2b3c4',
      eventDateUtc: '2026-11-30T10:00:00.000',
      eventType: 'UPDATE',
      eventCategory: 'INVOICE',
      tenantId: 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f',
      tenantType: 'ORGANISATION',
    },
  ],
  firstEventSequence: 7,
  lastEventSequence: 7,
  entropy: 'XKFTNOPPWHDMSGSZAOWE',
});
const verify = (headers: Record<string, string>, body = BODY, secrets: string | string[] = KEY) =>
  reasonAndStatusOf(deliver(xero(), headers, body, { secrets }));

describe('xero()', () => {
  it('accepts a delivery signed per the documented formula, signs the same value, dispatches per event', async () => {
    const headers = xeroSender(KEY, BODY);
    expect(xero().sign({ secret: KEY, body: BODY })['x-xero-signature']).toBe(headers['x-xero-signature']);
    const event = eventOf(await deliver(xero(), headers, BODY, { secrets: KEY }));
    expect(eventNamesOf(xero(), event)).toEqual(['INVOICE.UPDATE']);
  });

  it('intent to receive: 200 with an empty body for a correctly signed probe; the handler never runs', async () => {
    const reply = replyOf(await deliver(xero(), xeroSender(KEY, PROBE), PROBE, { secrets: KEY }));
    expect(reply).toEqual({ status: 200 });
  });

  it('intent to receive: 401 for every incorrectly signed probe, even an undecodable signature', async () => {
    expect(await verify(xeroSender(OLD_KEY, PROBE), PROBE)).toBe('signature_mismatch/401');
    expect(await verify({ 'x-xero-signature': 'not base64!' }, PROBE)).toBe('signature_mismatch/401');
    expect(await verify({ 'x-xero-signature': 'c2hvcnQ=' }, PROBE)).toBe('signature_mismatch/401');
    expect(await verify({}, PROBE)).toBe('missing_signature/401');
  });

  it('refuses a tampered body and the wrong key with 401', async () => {
    expect(await verify(xeroSender(KEY, BODY), BODY.replace('UPDATE', 'CREATE'))).toBe(
      'signature_mismatch/401',
    );
    expect(await verify(xeroSender(OLD_KEY, BODY))).toBe('signature_mismatch/401');
  });

  it('has no timestamp to check, and accepts the old or the new key (rotation)', async () => {
    expect(xero().defaultToleranceMs).toBeUndefined();
    expect(await verify(xeroSender(OLD_KEY, BODY), BODY, [KEY, OLD_KEY])).toBe('accepted');
    expect(await verify(xeroSender(KEY, BODY), BODY, [KEY, OLD_KEY])).toBe('accepted');
  });

  it('refuses a replayed batch (keyed on the signed body), but not the next batch', async () => {
    const first = { headers: xeroSender(KEY, BODY), rawBody: BODY };
    expect(await secondDeliveryKind(xero(), first, first, { secrets: KEY })).toBe('duplicate');
    const next = BODY.replaceAll(
      '"firstEventSequence":7,"lastEventSequence":7',
      '"firstEventSequence":8,"lastEventSequence":8',
    );
    expect(
      await secondDeliveryKind(
        xero(),
        first,
        { headers: xeroSender(KEY, next), rawBody: next },
        { secrets: KEY },
      ),
    ).toBe('new');
  });
});
