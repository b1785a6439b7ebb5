// Type tests: `npm test` type-checks this file (tsc -p tsconfig.json, strict) before it runs. Each
// expected error below must occur, or that check fails.
import type { VerifiedEventOf, VerifiedWebhookEvent } from '@verified-webhooks/core';
import { standardWebhooks } from '@verified-webhooks/core';
import type { WebhookExpressRequest } from '@verified-webhooks/core/express';
import { verifiedEvent } from '@verified-webhooks/core/testing';

const SECRET = 'whsec_' + Buffer.alloc(32, 61).toString('base64');

/** A route handler as users write it (`@WebhookEvent() event: VerifiedEventOf<'standard-webhooks'>`): no `!`. */
const onStandard = (event: VerifiedEventOf<'standard-webhooks'>): string => event.id.toUpperCase();

// @ts-expect-error Stripe's id is read from the body: it may be undefined
const onStripe = (event: VerifiedEventOf<'stripe'>): string => event.id.toUpperCase();

describe('event.id typed by the scheme', () => {
  it('is a string for the Standard Webhooks family (names and scheme objects), string | undefined otherwise', () => {
    expectTypeOf<VerifiedEventOf<'standard-webhooks'>['id']>().toEqualTypeOf<string>();
    expectTypeOf<VerifiedEventOf<'svix'>['id']>().toEqualTypeOf<string>();
    expectTypeOf<VerifiedEventOf<ReturnType<typeof standardWebhooks>>['id']>().toEqualTypeOf<string>();
    expectTypeOf<VerifiedEventOf<'stripe'>['id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<VerifiedEventOf<'github'>['id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<VerifiedWebhookEvent['id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<
      NonNullable<WebhookExpressRequest<'standard-webhooks'>['webhook']>['id']
    >().toEqualTypeOf<string>();
  });

  it('matches what a verified Standard Webhooks event carries at run time', async () => {
    const event = await verifiedEvent(standardWebhooks(), { secret: SECRET, body: '{"type":"ping"}' });
    expect(typeof event.id).toBe('string');
    expect(onStandard(event)).toBe(event.id.toUpperCase());
    void onStripe;
  });
});
