import { parse } from 'gocardless-nodejs/webhooks';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { gocardless } from './gocardless.scheme.js';

const SECRET = 'gocardless-endpoint-secret-0123456789';
const OLD_SECRET = 'gocardless-previous-secret-9876543210';
const body = (webhookId = 'WB00001', action = 'confirmed') =>
  JSON.stringify({
    events: [
      {
        id: 'EV001',
        created_at: '2026-11-30T10:00:00.000Z',
        resource_type: 'payments',
        action,
        links: { payment: 'PM001' },
      },
      {
        id: 'EV002',
        created_at: '2026-11-30T10:00:01.000Z',
        resource_type: 'mandates',
        action: 'active',
        links: { mandate: 'MD001' },
      },
    ],
    meta: { webhook_id: webhookId },
  });
const BODY = body();
const signed = (secret = SECRET, raw = BODY) => ({
  headers: gocardless().sign({ secret, body: raw }),
  rawBody: raw,
});
const verify = (request: ReturnType<typeof signed>, secrets: string | string[] = SECRET) =>
  reasonOf(deliver(gocardless(), request.headers, request.rawBody, { secrets }));

describe('gocardless()', () => {
  it('signs what the official gocardless-nodejs webhooks.parse accepts', () => {
    const { headers } = signed();
    const events = parse(BODY, SECRET, headers['webhook-signature']!);
    expect(events.map((event) => event.id)).toEqual(['EV001', 'EV002']);
    expect(() => parse(BODY, OLD_SECRET, headers['webhook-signature']!)).toThrow();
  });

  it('accepts its signature; meta.webhook_id is the id; handlers are dispatched per event', async () => {
    const event = eventOf(await deliver(gocardless(), signed().headers, BODY, { secrets: SECRET }));
    expect(event.id).toBe('WB00001');
    expect(eventNamesOf(gocardless(), event)).toEqual(['payments.confirmed', 'mandates.active']);
  });

  it('refuses a tampered body and the wrong secret', async () => {
    expect(await verify({ ...signed(), rawBody: body('WB00001', 'failed') })).toBe('signature_mismatch');
    expect(await verify(signed(OLD_SECRET))).toBe('signature_mismatch');
  });

  it('has no timestamp to check, and accepts the old or the new secret (rotation)', async () => {
    expect(gocardless().defaultToleranceMs).toBeUndefined();
    expect(await verify(signed(OLD_SECRET), [SECRET, OLD_SECRET])).toBe('accepted');
    expect(await verify(signed(SECRET), [SECRET, OLD_SECRET])).toBe('accepted');
  });

  it('refuses a retry of the same webhook_id even re-serialised, but not another webhook', async () => {
    const retry = signed(SECRET, BODY.replace('"events":', '"events" :'));
    expect(await secondDeliveryKind(gocardless(), signed(), retry, { secrets: SECRET })).toBe('duplicate');
    expect(
      await secondDeliveryKind(gocardless(), signed(), signed(SECRET, body('WB00002')), { secrets: SECRET }),
    ).toBe('new');
  });
});
