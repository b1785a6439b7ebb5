import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { secretsByEndpoint } from '@verified-webhooks/core';
import { VerifiedWebhook, WebhookEvent, WebhooksModule } from '@verified-webhooks/nestjs';
import Stripe from 'stripe';

const STRIPE_SECRET = 'whsec_readme_fastify_example_0123456789';

@Controller('webhooks')
class StripeWebhooksController {
  @Post('stripe')
  @HttpCode(200)
  @VerifiedWebhook('stripe')
  handle(@WebhookEvent('payload') event: Stripe.Event) {
    return { received: event.id };
  }
}

@Module({
  imports: [WebhooksModule.forRoot({ secrets: secretsByEndpoint({ stripe: STRIPE_SECRET }) })],
  controllers: [StripeWebhooksController],
})
class AppModule {}

/** The README's "Stripe endpoint in an existing Fastify app" example, as written there. */
describe('README: Stripe on Fastify', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
      rawBody: true,
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const deliver = (body: string, signature: string) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      payload: body,
    });

  it('accepts a delivery signed by the Stripe SDK, answers its duplicate, refuses a tampered one', async () => {
    const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid' });
    const signature = new Stripe('sk_test_x').webhooks.generateTestHeaderString({
      payload: body,
      secret: STRIPE_SECRET,
    });
    expect((await deliver(body, signature)).json()).toEqual({ received: 'evt_1' });
    expect((await deliver(body, signature)).json()).toEqual({ duplicate: true });
    expect((await deliver(body.replace('evt_1', 'evt_2'), signature)).statusCode).toBe(401);
  });
});
