import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Controller, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { WebhookHandlerContext, WebhookQueue } from '@verified-webhooks/core';
import { InProcessQueue, NonRetryableWebhookError, RedisReplayStore } from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import { OnWebhookEvent, VerifiedWebhook, WebhooksModule } from '@verified-webhooks/nestjs';
import request from 'supertest';
import { inject } from 'vitest';
import { secretOf, standardDelivery } from '../support/deliveries.js';

const SECRET = secretOf(61);
const runs: { id: string | undefined; handler: string; attempt: number; key: string }[] = [];
const failures = new Map<string, number>();

@Injectable()
class OrderHandlers {
  @OnWebhookEvent('orders', '*')
  async record(event: VerifiedWebhookEvent<{ fail?: number | 'permanent' }>, context: WebhookHandlerContext) {
    const fail = event.payload.fail;
    if (fail === 'permanent') throw new NonRetryableWebhookError('order cannot be processed');
    const failed = failures.get(event.id!) ?? 0;
    if (typeof fail === 'number' && failed < fail) {
      failures.set(event.id!, failed + 1);
      throw new Error('inventory service down');
    }
    runs.push({
      id: event.id,
      handler: context.handler,
      attempt: context.attempt,
      key: context.idempotencyKey,
    });
  }

  @OnWebhookEvent('orders', 'order.created')
  audit(event: VerifiedWebhookEvent, context: WebhookHandlerContext) {
    runs.push({
      id: event.id,
      handler: context.handler,
      attempt: context.attempt,
      key: context.idempotencyKey,
    });
  }
}

const routeRuns: string[] = [];
@Controller('webhooks')
class OrdersController {
  @Post('orders')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'orders', processing: 'queue' })
  receive() {
    routeRuns.push('orders'); // never: a durable route answers 202 once the delivery is stored
  }
}

async function boot(queue: WebhookQueue, replayUrl?: string): Promise<INestApplication> {
  @Module({
    imports: [
      WebhooksModule.forRoot({
        secrets: SECRET,
        queue,
        ...(replayUrl ? { replayStore: await RedisReplayStore.fromUrl(replayUrl) } : {}),
      }),
    ],
    controllers: [OrdersController],
    providers: [OrderHandlers],
  })
  class DurableModule {}
  const app = await NestFactory.create(DurableModule, { rawBody: true, logger: false });
  await app.init();
  return app;
}

const body = (payload: object) => JSON.stringify({ type: 'order.created', ...payload });

describe.each([
  ['the in-process queue', () => new InProcessQueue({ maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 })],
  [
    'BullMQ on a real redis-server',
    () =>
      BullmqWebhookQueue.fromUrl(inject('redisUrl'), {
        prefix: `{vw-e2e-${randomUUID().slice(0, 8)}}`,
        retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 },
      }),
  ],
] as const)('a durable route with %s', (_name, makeQueue) => {
  let app: INestApplication;
  let queue: WebhookQueue;
  const post = (delivery: ReturnType<typeof standardDelivery>) =>
    request(app.getHttpServer()).post('/webhooks/orders').set(delivery.headers).send(delivery.body);
  const runsOf = (id: string) => runs.filter((run) => run.id === id);

  beforeAll(async () => {
    queue = await makeQueue();
    app = await boot(queue, queue.durable ? inject('redisUrl') : undefined);
  });
  afterAll(() => app.close());

  it('answers 202 {"queued"} once stored, then runs each handler in the worker; a copy is a duplicate', async () => {
    const delivery = standardDelivery(SECRET, { body: body({}) });
    const first = await post(delivery);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ queued: delivery.id });
    expect((await post(delivery)).body).toEqual({ duplicate: true });
    await vi.waitFor(() => expect(runsOf(delivery.id)).toHaveLength(2), { timeout: 10_000 });
    expect(
      runsOf(delivery.id)
        .map((run) => run.handler)
        .sort(),
    ).toEqual(['OrderHandlers.audit', 'OrderHandlers.record']);
    expect(new Set(runsOf(delivery.id).map((run) => run.key)).size).toBe(2);
    expect(routeRuns).toEqual([]);
  });

  it('retries a failing handler alone, which succeeds at attempt n', async () => {
    const delivery = standardDelivery(SECRET, { body: body({ fail: 2 }) });
    expect((await post(delivery)).status).toBe(202);
    await vi.waitFor(() => expect(runsOf(delivery.id)).toHaveLength(2), { timeout: 10_000 });
    const record = runsOf(delivery.id).find((run) => run.handler === 'OrderHandlers.record')!;
    const audit = runsOf(delivery.id).find((run) => run.handler === 'OrderHandlers.audit')!;
    expect(record.attempt).toBe(3);
    expect(audit.attempt).toBe(1); // the other handler ran once: one job per handler
  });

  it('dead-letters a non-retryable failure after one attempt, with its error', async () => {
    const delivery = standardDelivery(SECRET, { body: body({ fail: 'permanent' }) });
    expect((await post(delivery)).status).toBe(202);
    await vi.waitFor(
      async () =>
        expect(await queue.deadLetters({ id: delivery.id })).toMatchObject([
          { attempts: 1, error: 'order cannot be processed' },
        ]),
      { timeout: 10_000 },
    );
  });
});

describe('a durable route whose queue cannot store', () => {
  it('answers 503 and frees the delivery for the retry', async () => {
    const broken: WebhookQueue = Object.assign(new InProcessQueue(), {
      enqueue: () => Promise.reject(new Error('Redis is down')),
    });
    const app = await boot(broken);
    const delivery = standardDelivery(SECRET, { body: body({}) });
    const answer = await request(app.getHttpServer())
      .post('/webhooks/orders')
      .set(delivery.headers)
      .send(delivery.body);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: 'queue_unavailable' });
    // Freed, not done: the retry is claimed again (and refused the same way), not answered as a duplicate.
    const retry = await request(app.getHttpServer())
      .post('/webhooks/orders')
      .set(delivery.headers)
      .send(delivery.body);
    expect(retry.status).toBe(503);
    await app.close();
  });
});
