import type { INestApplication } from '@nestjs/common';
import { Controller, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { WebhookEventOf, WebhookHandlerContext } from '@verified-webhooks/core';
import { secretsByEndpoint, stripe } from '@verified-webhooks/core';
import { verifiedEvent } from '@verified-webhooks/core/testing';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import { OnWebhookEvent, VerifiedWebhook, WebhookHandlers, WebhooksModule } from '@verified-webhooks/nestjs';
import { Registry } from 'prom-client';
import Stripe from 'stripe';
import request from 'supertest';

const STRIPE_SECRET = 'whsec_handlers_0123456789abcdef0123';
const FLAKY_SECRET = 'whsec_flaky_0123456789abcdef012345';
const stripeClient = new Stripe('sk_test_handlers');

/** A delivery signed by the official stripe package, as Stripe sends it. */
function stripeDelivery(
  type: string,
  id = `evt_${type.replace(/\W/g, '_')}_${Math.random().toString(36).slice(2)}`,
) {
  const payload = JSON.stringify({ id, object: 'event', type, data: { object: { id: 'in_1' } } });
  return {
    id,
    payload,
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stripeClient.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }),
    },
  };
}

interface Run {
  readonly handler: string;
  readonly id: string | undefined;
  readonly idempotencyKey: string;
}
const runs: Run[] = [];
const record = (handler: string, event: VerifiedWebhookEvent, context: WebhookHandlerContext) =>
  runs.push({ handler, id: event.id, idempotencyKey: context.idempotencyKey });

@Injectable()
class BillingHandlers {
  @OnWebhookEvent('stripe', 'invoice.paid')
  onInvoicePaid(event: VerifiedWebhookEvent, context: WebhookHandlerContext) {
    record('invoice.paid', event, context);
  }

  @OnWebhookEvent('stripe', 'invoice.*')
  async onInvoice(event: VerifiedWebhookEvent, context: WebhookHandlerContext) {
    await Promise.resolve();
    record('invoice.*', event, context);
  }

  @OnWebhookEvent('stripe', '*')
  onAnything(event: VerifiedWebhookEvent, context: WebhookHandlerContext) {
    record('*', event, context);
  }
}

/** Fails the first time it sees a delivery: the sender's retry runs every handler again. */
const failedOnce = new Set<string>();
@Injectable()
class FlakyHandlers {
  @OnWebhookEvent('flaky', '*')
  first(event: VerifiedWebhookEvent, context: WebhookHandlerContext) {
    record('flaky.first', event, context);
  }

  @OnWebhookEvent('flaky', '*')
  second(event: VerifiedWebhookEvent, context: WebhookHandlerContext) {
    if (!failedOnce.has(event.id!)) {
      failedOnce.add(event.id!);
      throw new Error('payments API down');
    }
    record('flaky.second', event, context);
  }
}

const routeRuns: string[] = [];
@Controller('webhooks')
class WebhooksController {
  // The route's own method is empty: the handlers do the work; it gives the answer after them.
  @Post('stripe')
  @HttpCode(200)
  @VerifiedWebhook('stripe')
  receive() {
    routeRuns.push('stripe');
    return { received: true };
  }

  @Post('flaky')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: stripe(), endpoint: 'flaky' })
  flaky() {
    return { received: true };
  }
}

const registry = new Registry();
const moduleOptions = {
  secrets: secretsByEndpoint({ stripe: STRIPE_SECRET, flaky: FLAKY_SECRET }),
  metrics: { registry },
};

@Module({
  imports: [WebhooksModule.forRoot(moduleOptions)],
  controllers: [WebhooksController],
  providers: [BillingHandlers, FlakyHandlers],
})
class AppModule {}

describe('@OnWebhookEvent() handlers', () => {
  let app: INestApplication;
  const post = (path: string, delivery: ReturnType<typeof stripeDelivery>) =>
    request(app.getHttpServer()).post(path).set(delivery.headers).send(delivery.payload);

  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { rawBody: true, logger: false });
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    runs.length = 0;
    routeRuns.length = 0;
  });

  it("runs 'invoice.paid', 'invoice.*' and '*' once each for invoice.paid, then the route; only '*' for customer.created", async () => {
    const paid = stripeDelivery('invoice.paid');
    expect((await post('/webhooks/stripe', paid)).body).toEqual({ received: true });
    expect(runs.map((run) => run.handler)).toEqual(['invoice.paid', 'invoice.*', '*']);
    expect(routeRuns).toEqual(['stripe']);
    const customer = stripeDelivery('customer.created');
    expect((await post('/webhooks/stripe', customer)).status).toBe(200);
    expect(runs.map((run) => run.handler)).toEqual(['invoice.paid', 'invoice.*', '*', '*']);
    // Four handler runs, four idempotency keys.
    expect(new Set(runs.map((run) => run.idempotencyKey)).size).toBe(4);
  });

  it('runs no handler for a duplicate or a forgery', async () => {
    const paid = stripeDelivery('invoice.paid');
    await post('/webhooks/stripe', paid);
    runs.length = 0;
    expect((await post('/webhooks/stripe', paid)).body).toEqual({ duplicate: true });
    const forged = { ...paid, payload: paid.payload.replace('in_1', 'in_2') };
    expect((await post('/webhooks/stripe', forged)).status).toBe(401);
    expect(runs).toEqual([]);
  });

  it('frees the delivery when a handler throws; the retry runs them all again with the same keys', async () => {
    const delivery = stripeDelivery('charge.succeeded');
    delivery.headers['stripe-signature'] = stripeClient.webhooks.generateTestHeaderString({
      payload: delivery.payload,
      secret: FLAKY_SECRET,
    });
    expect((await post('/webhooks/flaky', delivery)).status).toBe(500);
    expect(runs.map((run) => run.handler)).toEqual(['flaky.first']);
    expect((await post('/webhooks/flaky', delivery)).status).toBe(200);
    expect(runs.map((run) => run.handler)).toEqual(['flaky.first', 'flaky.first', 'flaky.second']);
    expect(runs[0]!.idempotencyKey).toBe(runs[1]!.idempotencyKey);
    expect((await post('/webhooks/flaky', delivery)).body).toEqual({ duplicate: true });
  });

  it('answers an event no handler matches 2xx, counts it and runs the route', async () => {
    const unhandledRegistry = new Registry();
    const bare = await bootWith({ providers: [], registry: unhandledRegistry });
    const delivery = stripeDelivery('customer.created');
    const answer = await request(bare.getHttpServer())
      .post('/webhooks/stripe')
      .set(delivery.headers)
      .send(delivery.payload);
    await bare.close();
    expect(answer.status).toBe(200);
    expect(routeRuns).toEqual(['stripe']);
    expect(await unhandledRegistry.getSingleMetricAsString('webhook_unhandled_events_total')).toMatch(
      /webhook_unhandled_events_total\{scheme="stripe",endpoint="stripe"\} 1/,
    );
  });
});

async function bootWith(extra: { providers: unknown[]; registry?: Registry }): Promise<INestApplication> {
  @Module({
    imports: [
      WebhooksModule.forRoot({
        secrets: STRIPE_SECRET,
        metrics: { registry: extra.registry ?? new Registry() },
      }),
    ],
    controllers: [WebhooksController],
    providers: extra.providers as never[],
  })
  class OtherModule {}
  const other = await NestFactory.create(OtherModule, { rawBody: true, logger: false });
  await other.init();
  return other;
}

describe('@OnWebhookEvent() at boot and in tests', () => {
  it('stops the app when a handler names an endpoint no route serves', async () => {
    @Injectable()
    class Misrouted {
      @OnWebhookEvent('stirpe', '*')
      handle() {}
    }
    await expect(bootWith({ providers: [Misrouted] })).rejects.toThrow(
      /Misrouted\.handle handles endpoint "stirpe", which no @VerifiedWebhook\(\) route serves/,
    );
  });

  it('stops the app when a handler is typed for a scheme its endpoint is not served by, and boots when it is', async () => {
    @Injectable()
    class Mistyped {
      @OnWebhookEvent('flaky', '*', { scheme: 'svix' })
      handle(event: WebhookEventOf<'flaky', '*', 'svix'>) {
        return event.id.length; // would be a lie: the flaky endpoint's routes use stripe
      }
    }
    await expect(bootWith({ providers: [Mistyped] })).rejects.toThrow(
      /Mistyped\.handle is typed for scheme svix on endpoint "flaky", whose routes use stripe/,
    );
    @Injectable()
    class Typed {
      @OnWebhookEvent('flaky', '*', { scheme: stripe() })
      handle() {}
    }
    const booted = await bootWith({ providers: [Typed] });
    expect(booted.get(WebhookHandlers).handlersOf('flaky')).toContain('Typed.handle');
    await booted.close();
  });

  it('registers an aliased provider once, merges two decorators of one method, and takes an explicit name', async () => {
    @Injectable()
    class Aliased {
      @OnWebhookEvent('stripe', 'invoice.paid')
      @OnWebhookEvent('stripe', 'invoice.voided')
      both() {}

      @OnWebhookEvent('stripe', '*', { name: 'audit-log' })
      audit() {}
    }
    const app = await bootWith({ providers: [Aliased, { provide: 'ALIAS', useExisting: Aliased }] });
    expect(app.get(WebhookHandlers).handlersOf('stripe')).toEqual(['Aliased.both', 'audit-log']);
    const event = await verifiedEvent(stripe(), {
      secret: STRIPE_SECRET,
      body: JSON.stringify({ id: 'evt_merge', type: 'invoice.voided', data: { object: {} } }),
    });
    expect(await app.get(WebhookHandlers).dispatch(event)).toEqual({
      handled: ['Aliased.both', 'audit-log'],
    });
    await app.close();
  });

  it('refuses to dispatch before the app is initialised (the handlers are not found yet)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WebhooksModule.forRoot({ secrets: STRIPE_SECRET })],
      controllers: [WebhooksController],
      providers: [BillingHandlers],
    }).compile();
    const event = await verifiedEvent(stripe(), { secret: STRIPE_SECRET, body: '{"type":"invoice.paid"}' });
    await expect(moduleRef.get(WebhookHandlers).dispatch(event)).rejects.toThrow(/call it before dispatch/);
    await moduleRef.close();
  });

  it('runs the handlers of a verified event in a TestingModule, without HTTP', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WebhooksModule.forRoot({ secrets: STRIPE_SECRET })],
      controllers: [WebhooksController],
      providers: [BillingHandlers],
    }).compile();
    const testApp = moduleRef.createNestApplication({ logger: false });
    await testApp.init();
    runs.length = 0;
    const event = await verifiedEvent(stripe(), {
      secret: STRIPE_SECRET,
      body: JSON.stringify({ id: 'evt_test', type: 'invoice.voided', data: { object: {} } }),
    });
    expect(await testApp.get(WebhookHandlers).dispatch(event)).toEqual({
      handled: ['BillingHandlers.onInvoice', 'BillingHandlers.onAnything'],
    });
    expect(runs.map((run) => run.handler)).toEqual(['invoice.*', '*']);
    await testApp.close();
  });
});
