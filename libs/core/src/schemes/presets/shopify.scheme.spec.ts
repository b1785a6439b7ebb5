import { getHmac } from '@shopify/shopify-api/test-helpers';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { shopify } from './shopify.scheme.js';

const SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const OLD_SECRET = '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';
const BODY = JSON.stringify({ id: 820982911946154500, email: 'jon@example.com' });
const webhooksDelivery = (hmac: string) => ({
  'x-shopify-hmac-sha256': hmac,
  'x-shopify-topic': 'orders/create',
  'x-shopify-shop-domain': 'example.myshopify.com',
  'x-shopify-api-version': '2025-10',
  'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
  'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
  'x-shopify-triggered-at': '2026-11-22T10:00:00.000Z',
});
const eventsDelivery = (hmac: string) => ({
  'shopify-hmac-sha256': hmac,
  'shopify-topic': 'products/update',
  'shopify-shop-domain': 'example.myshopify.com',
  'shopify-api-version': '2025-10',
  'shopify-webhook-id': 'e1f0c9a8-0000-4000-8000-000000000001',
  'shopify-handle': 'my-handle',
  'shopify-action': 'update',
});

describe('shopify()', () => {
  const scheme = shopify();

  it('accepts an HMAC from the official test helper getHmac (X-Shopify-* family)', async () => {
    const outcome = await deliver(scheme, webhooksDelivery(getHmac(BODY, SECRET)), BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({
      id: '98880550-7158-44d4-b7cd-2c97c8a091b5',
      type: 'orders/create',
      scheme: 'shopify',
    });
  });

  it('accepts the unprefixed shopify-* family used for events deliveries', async () => {
    const outcome = await deliver(scheme, eventsDelivery(getHmac(BODY, SECRET)), BODY, { secrets: SECRET });
    expect(eventOf(outcome)).toMatchObject({
      id: 'e1f0c9a8-0000-4000-8000-000000000001',
      type: 'products/update',
    });
  });

  it('reproduces the getHmac value in PROVIDERS.md and signs what getHmac computes', () => {
    expect(scheme.sign({ secret: 'shop-secret', body: '{"id":1}' })['x-shopify-hmac-sha256']).toBe(
      'plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0=',
    );
    expect(scheme.sign({ secret: SECRET, body: BODY })['x-shopify-hmac-sha256']).toBe(getHmac(BODY, SECRET));
  });

  it('refuses a tampered body and the wrong secret; rotates between secrets', async () => {
    const headers = webhooksDelivery(getHmac(BODY, SECRET));
    expect(await reasonOf(deliver(scheme, headers, BODY.replace('jon', 'eve'), { secrets: SECRET }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: OLD_SECRET }))).toBe(
      'signature_mismatch',
    );
    const secrets = [SECRET, OLD_SECRET];
    expect(
      await reasonOf(deliver(scheme, webhooksDelivery(getHmac(BODY, OLD_SECRET)), BODY, { secrets })),
    ).toBe('accepted');
    expect(await reasonOf(deliver(scheme, headers, BODY, { secrets }))).toBe('accepted');
  });

  it('treats webhook id, event id and topic as unsigned: a replay under fresh ids is a duplicate', async () => {
    expect(scheme.signs).toEqual({ id: false, timestamp: false, type: false });
    const headers = webhooksDelivery(getHmac(BODY, SECRET));
    expect(
      await replayWithFreshHeaders(scheme, headers, BODY, SECRET, {
        'x-shopify-webhook-id': '00000000-0000-4000-8000-000000000000',
        'x-shopify-event-id': '00000000-0000-4000-8000-000000000001',
      }),
    ).toEqual(['new', 'duplicate']);
  });

  it('answers a missing or hex-encoded HMAC with clear reasons', async () => {
    expect(
      await reasonOf(deliver(scheme, { 'x-shopify-topic': 'orders/create' }, BODY, { secrets: SECRET })),
    ).toBe('missing_signature');
    const hex = Buffer.from(getHmac(BODY, SECRET), 'base64').toString('hex');
    expect(await reasonOf(deliver(scheme, webhooksDelivery(hex), BODY, { secrets: SECRET }))).toBe(
      'malformed_signature',
    );
  });
});
