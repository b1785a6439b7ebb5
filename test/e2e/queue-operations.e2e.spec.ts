import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Controller, Get, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import type { WebhookQueue } from '@verified-webhooks/core';
import { InProcessQueue, NonRetryableWebhookError } from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import {
  JOB_ATTEMPTS_METRIC,
  JOBS_METRIC,
  OnWebhookEvent,
  QUEUE_JOBS_METRIC,
  QUEUE_OLDEST_METRIC,
  QUEUE_PAUSED_METRIC,
  QUEUE_UP_METRIC,
  VerifiedWebhook,
  WebhookQueueControl,
  WebhooksModule,
} from '@verified-webhooks/nestjs';
import { WebhookQueueHealthIndicator } from '@verified-webhooks/nestjs/terminus';
import { Registry } from 'prom-client';
import request from 'supertest';
import { inject } from 'vitest';
import { secretOf, standardDelivery } from '../support/deliveries.js';
import { RedisServer } from '../support/redis-server.js';

const SECRET = secretOf(71);
const processed: string[] = [];

@Injectable()
class LedgerHandlers {
  @OnWebhookEvent('ledger', '*')
  record(event: VerifiedWebhookEvent<{ permanent?: boolean }>) {
    if (event.payload.permanent) throw new NonRetryableWebhookError('account closed');
    processed.push(event.id!);
  }
}

@Controller()
class LedgerController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly queue: WebhookQueueHealthIndicator,
  ) {}

  @Post('webhooks/ledger')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'ledger', processing: 'queue' })
  receive() {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.queue.isHealthy()]);
  }
}

async function boot(queue: WebhookQueue, registry: Registry): Promise<INestApplication> {
  @Module({
    imports: [
      WebhooksModule.forRoot({ secrets: SECRET, queue, metrics: { registry }, worker: { concurrency: 1 } }),
      TerminusModule.forRoot({ logger: false }),
    ],
    controllers: [LedgerController],
    providers: [LedgerHandlers, WebhookQueueHealthIndicator],
  })
  class LedgerModule {}
  const app = await NestFactory.create(LedgerModule, { rawBody: true, logger: false });
  await app.init();
  return app;
}

/** A metric's samples as prom-client collects them for a scrape (its collect() runs). */
async function samples(registry: Registry, name: string) {
  return (await registry.getSingleMetric(name)!.get()).values;
}
async function sample(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const values = await samples(registry, name);
  return values.find((value) => Object.entries(labels).every(([key, v]) => value.labels[key] === v))?.value;
}

describe.each([
  ['the in-process queue', () => Promise.resolve(new InProcessQueue({ maxAttempts: 2, baseDelayMs: 5 }))],
  [
    'BullMQ on a real redis-server',
    () =>
      BullmqWebhookQueue.fromUrl(inject('redisUrl'), {
        prefix: `{vw-ops-${randomUUID().slice(0, 8)}}`,
        retry: { maxAttempts: 2, baseDelayMs: 5 },
      }),
  ],
] as const)('operating a durable route on %s', (_name, makeQueue: () => Promise<WebhookQueue>) => {
  let app: INestApplication;
  let registry: Registry;
  const post = (delivery: ReturnType<typeof standardDelivery>) =>
    request(app.getHttpServer()).post('/webhooks/ledger').set(delivery.headers).send(delivery.body);

  beforeAll(async () => {
    registry = new Registry();
    app = await boot(await makeQueue(), registry);
  });
  afterAll(() => app.close());

  it('a paused endpoint acknowledges and holds 100 deliveries, then processes all 100 in order of arrival; the metrics and the health check follow', async () => {
    processed.length = 0;
    const control = app.get(WebhookQueueControl);
    await control.pause('ledger');
    expect(await sample(registry, QUEUE_PAUSED_METRIC, { endpoint: 'ledger' })).toBe(1);

    const ids: string[] = [];
    for (let index = 0; index < 100; index++) {
      const delivery = standardDelivery(SECRET, { body: JSON.stringify({ type: 'entry.created', index }) });
      const answer = await post(delivery);
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ queued: delivery.id });
      ids.push(delivery.id);
    }
    expect(processed).toEqual([]);
    // Depth rose while paused: the held jobs are in state "paused", none waiting to run or running.
    expect(await sample(registry, QUEUE_JOBS_METRIC, { endpoint: 'ledger', state: 'paused' })).toBe(100);
    expect(await sample(registry, QUEUE_JOBS_METRIC, { endpoint: 'ledger', state: 'waiting' })).toBe(0);
    expect(await sample(registry, QUEUE_JOBS_METRIC, { endpoint: 'ledger', state: 'active' })).toBe(0);
    expect(await sample(registry, QUEUE_OLDEST_METRIC, { endpoint: 'ledger' })).toBeGreaterThan(0);
    expect(await sample(registry, QUEUE_UP_METRIC)).toBe(1);
    const paused = await request(app.getHttpServer()).get('/health');
    expect(paused.status).toBe(200);
    expect(paused.body.info.webhookQueue).toMatchObject({
      status: 'up',
      paused: ['ledger'],
      endpoints: { ledger: { paused: true, waiting: 100, active: 0 } },
    });
    expect(processed).toEqual([]);

    await control.resume('ledger');
    await vi.waitFor(() => expect(processed).toHaveLength(100), { timeout: 20_000 });
    expect(processed).toEqual(ids);
    // And fell after resume.
    expect(await sample(registry, QUEUE_PAUSED_METRIC, { endpoint: 'ledger' })).toBe(0);
    expect(await sample(registry, QUEUE_JOBS_METRIC, { endpoint: 'ledger', state: 'paused' })).toBe(0);
    expect(await sample(registry, QUEUE_JOBS_METRIC, { endpoint: 'ledger', state: 'waiting' })).toBe(0);
    expect(await sample(registry, QUEUE_OLDEST_METRIC, { endpoint: 'ledger' })).toBe(0);
    // Counted once the handler has returned, just after it recorded the delivery.
    await vi.waitFor(async () =>
      expect(await sample(registry, JOBS_METRIC, { endpoint: 'ledger', outcome: 'completed' })).toBe(100),
    );
    const resumed = await request(app.getHttpServer()).get('/health');
    expect(resumed.body.info.webhookQueue).toMatchObject({
      paused: [],
      endpoints: { ledger: { waiting: 0 } },
    });
  });

  it('counts a dead letter in the depth gauge, the job counter and the attempts histogram', async () => {
    const before =
      (await sample(registry, QUEUE_JOBS_METRIC, { endpoint: 'ledger', state: 'dead_letter' })) ?? 0;
    const delivery = standardDelivery(SECRET, {
      body: JSON.stringify({ type: 'entry.created', permanent: true }),
    });
    expect((await post(delivery)).status).toBe(202);
    await vi.waitFor(
      async () =>
        expect(await sample(registry, QUEUE_JOBS_METRIC, { endpoint: 'ledger', state: 'dead_letter' })).toBe(
          before + 1,
        ),
      { timeout: 10_000 },
    );
    expect(await sample(registry, JOBS_METRIC, { endpoint: 'ledger', outcome: 'dead_letter' })).toBe(1);
    const attempts = await samples(registry, JOB_ATTEMPTS_METRIC);
    // 100 completed at their first run, and this one dead-lettered at its first.
    const count = attempts.find(
      (value) => (value as { metricName?: string }).metricName === `${JOB_ATTEMPTS_METRIC}_count`,
    );
    expect(count?.value).toBe(101);
    const sum = attempts.find(
      (value) => (value as { metricName?: string }).metricName === `${JOB_ATTEMPTS_METRIC}_sum`,
    );
    expect(sum?.value).toBe(101);
    const health = await request(app.getHttpServer()).get('/health');
    expect(health.body.info.webhookQueue.endpoints.ledger.deadLetters).toBe(before + 1);
  });
});

describe('the queue health check and metrics when Redis goes away', () => {
  it('is down (503) and webhook_queue_up is 0 while Redis is stopped', async () => {
    const server = await RedisServer.start();
    const registry = new Registry();
    const queue = await BullmqWebhookQueue.fromUrl(server.url, {
      commandTimeoutMs: 300,
      closeTimeoutMs: 500,
    });
    const app = await boot(queue, registry);
    expect((await request(app.getHttpServer()).get('/health')).status).toBe(200);
    expect(await sample(registry, QUEUE_UP_METRIC)).toBe(1);
    await server.stop();
    const down = await request(app.getHttpServer()).get('/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'error', error: { webhookQueue: { status: 'down' } } });
    expect(await sample(registry, QUEUE_UP_METRIC)).toBe(0);
    expect(await samples(registry, QUEUE_JOBS_METRIC)).toEqual([]);
    await app.close();
    await server.dispose();
  });
});

const flaky = new Map<string, number>();

@Injectable()
class FlakyHandlers {
  @OnWebhookEvent('flaky', '*')
  run(event: VerifiedWebhookEvent<{ fail: 'once' | 'always' | 'permanent' }>) {
    const runs = (flaky.get(event.id!) ?? 0) + 1;
    flaky.set(event.id!, runs);
    if (event.payload.fail === 'permanent') throw new NonRetryableWebhookError('account closed');
    if (event.payload.fail === 'always' || runs === 1) throw new TypeError('ledger unreachable');
  }
}

@Controller()
class FlakyController {
  @Post('webhooks/flaky')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'flaky', processing: 'queue' })
  receive() {}
}

describe('job logs', () => {
  it('say what happened to each run with a reason code, and hold no body, secret or signature', async () => {
    const lines: string[] = [];
    const capture =
      (level: string) =>
      (message: unknown, ...rest: unknown[]) =>
        void lines.push(`${level} ${String(message)} ${rest.map(String).join(' ')}`);
    const logger = {
      log: capture('log'),
      warn: capture('warn'),
      error: capture('error'),
      debug: capture('debug'),
      verbose: capture('verbose'),
    };
    @Module({
      imports: [
        WebhooksModule.forRoot({
          secrets: SECRET,
          queue: new InProcessQueue({ maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 }),
        }),
      ],
      controllers: [FlakyController],
      providers: [FlakyHandlers],
    })
    class FlakyModule {}
    const app = await NestFactory.create(FlakyModule, { rawBody: true, logger });
    await app.init();
    const sent = (['once', 'always', 'permanent'] as const).map((fail) =>
      standardDelivery(SECRET, {
        body: JSON.stringify({ type: 'entry.created', fail, pan: '4242424242424242' }),
      }),
    );
    for (const delivery of sent) {
      const answer = await request(app.getHttpServer())
        .post('/webhooks/flaky')
        .set(delivery.headers)
        .send(delivery.body);
      expect(answer.status).toBe(202);
    }
    const [once, always, permanent] = sent.map((delivery) => delivery.id);
    const jobLines = () => lines.filter((line) => line.includes('event=job_'));
    await vi.waitFor(
      () => expect(jobLines().filter((line) => line.includes('event=job_dead_letter'))).toHaveLength(2),
      {
        timeout: 10_000,
      },
    );
    await vi.waitFor(() =>
      expect(jobLines().some((line) => line.includes(`event=job_completed`))).toBe(true),
    );
    await app.close();

    const of = (id: string) => jobLines().filter((line) => line.includes(`delivery=${id}`));
    expect(of(once!)).toEqual([
      expect.stringMatching(
        /^debug event=job_started endpoint=flaky handler=FlakyHandlers\.run job=\S+ delivery=\S+ attempt=1 max_attempts=2 /,
      ),
      expect.stringMatching(
        /^warn event=job_retry reason=handler_error .* attempt=1 max_attempts=2 error=TypeError /,
      ),
      expect.stringMatching(/^debug event=job_started .* attempt=2 /),
      expect.stringMatching(/^debug event=job_completed .* attempt=2 /),
    ]);
    expect(of(always!).at(-1)).toMatch(
      /^error event=job_dead_letter reason=attempts_exhausted .* attempt=2 max_attempts=2 error=TypeError /,
    );
    expect(of(permanent!)).toEqual([
      expect.stringMatching(/^debug event=job_started .* attempt=1 /),
      expect.stringMatching(
        /^error event=job_dead_letter reason=non_retryable .* attempt=1 max_attempts=2 error=NonRetryableWebhookError /,
      ),
    ]);
    const everything = lines.join('\n');
    for (const delivery of sent) {
      expect(everything).not.toContain(delivery.headers['webhook-signature']!.split(',')[1]);
    }
    for (const forbidden of [
      SECRET,
      SECRET.slice('whsec_'.length),
      '4242424242424242',
      'ledger unreachable',
    ]) {
      expect(everything).not.toContain(forbidden);
    }
  });
});
