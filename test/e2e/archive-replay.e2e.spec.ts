import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { INestApplication } from '@nestjs/common';
import { Controller, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ArchiveSink, WebhookHandlerContext, WebhookQueue } from '@verified-webhooks/core';
import { FsArchiveSink, gitlab, InProcessQueue, NonRetryableWebhookError } from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import { S3ArchiveSink } from '@verified-webhooks/core/s3';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import { OnWebhookEvent, VerifiedWebhook, WebhookArchive, WebhooksModule } from '@verified-webhooks/nestjs';
import { Redis } from 'ioredis';
import request from 'supertest';
import { inject } from 'vitest';
import { secretOf, standardDelivery } from '../support/deliveries.js';
import { s3Bucket } from '../support/s3-server.js';

const SECRET = secretOf(71);
const GITLAB_SECRET = `glpat-archive-${randomUUID()}`;

interface Run {
  readonly id: string | undefined;
  readonly handler: string;
  readonly key: string;
  readonly card: unknown;
}
const runs: Run[] = [];

interface Payload {
  readonly fail?: 'permanent';
  readonly card?: string;
}

@Injectable()
class OrderHandlers {
  @OnWebhookEvent('orders', '*')
  record(event: VerifiedWebhookEvent<Payload>, context: WebhookHandlerContext) {
    if (event.payload.fail === 'permanent') throw new NonRetryableWebhookError('order cannot be processed');
    runs.push({
      id: event.id,
      handler: context.handler,
      key: context.idempotencyKey,
      card: event.payload.card,
    });
  }

  @OnWebhookEvent('orders', 'order.*')
  audit(event: VerifiedWebhookEvent<Payload>, context: WebhookHandlerContext) {
    runs.push({
      id: event.id,
      handler: context.handler,
      key: context.idempotencyKey,
      card: event.payload.card,
    });
  }

  @OnWebhookEvent('repo', '*')
  push(event: VerifiedWebhookEvent, context: WebhookHandlerContext) {
    runs.push({ id: event.id, handler: context.handler, key: context.idempotencyKey, card: undefined });
  }
}

@Controller('webhooks')
class HooksController {
  @Post('orders')
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'orders', processing: 'queue' })
  orders() {}

  @Post('repo')
  @VerifiedWebhook({ scheme: 'gitlab', endpoint: 'repo', processing: 'queue', secrets: GITLAB_SECRET })
  repo() {}
}

/** Card numbers never reach the archive. */
const redact = (body: Buffer) => body.toString('utf8').replace(/"card":"\d+"/, '"card":"[redacted]"');

interface Setup {
  readonly queue: WebhookQueue;
  readonly sink: ArchiveSink | undefined;
  /** Every byte the archive (and, for the queue's own, the queue) keeps. */
  readonly storedBytes: () => Promise<string>;
  readonly cleanup: () => Promise<void>;
}

const retry = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 };

async function bullmq(): Promise<{
  queue: BullmqWebhookQueue;
  prefix: string;
  redisBytes: () => Promise<string>;
}> {
  const prefix = `{vw-archive-${randomUUID().slice(0, 8)}}`;
  const queue = await BullmqWebhookQueue.fromUrl(inject('redisUrl'), { prefix, retry });
  const redisBytes = async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      const parts: string[] = [];
      for (const key of await redis.keys(`${prefix}*`)) {
        if ((await redis.type(key)) === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      }
      return parts.join('\n');
    } finally {
      redis.disconnect();
    }
  };
  return { queue, prefix, redisBytes };
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const BUCKET = `vw-archive-${randomUUID().slice(0, 8)}`;

const setups: [string, () => Promise<Setup>][] = [
  [
    "the queue's own retention (BullMQ on a real redis-server)",
    async () => {
      const { queue, redisBytes } = await bullmq();
      return { queue, sink: undefined, storedBytes: redisBytes, cleanup: () => Promise.resolve() };
    },
  ],
  [
    "the in-process queue's own retention",
    () => {
      const queue = new InProcessQueue(retry);
      const storedBytes = async () => JSON.stringify(await queue.archived());
      return Promise.resolve({ queue, sink: undefined, storedBytes, cleanup: () => Promise.resolve() });
    },
  ],
  [
    'an FsArchiveSink (BullMQ)',
    async () => {
      const { queue, redisBytes } = await bullmq();
      const directory = mkdtempSync(join(tmpdir(), 'vw-archive-'));
      const storedBytes = async () =>
        filesUnder(directory)
          .map((file) => readFileSync(file, 'utf8'))
          .join('\n') + (await redisBytes());
      return {
        queue,
        sink: new FsArchiveSink({ directory }),
        storedBytes,
        cleanup: () => Promise.resolve(rmSync(directory, { recursive: true, force: true })),
      };
    },
  ],
  [
    'an S3ArchiveSink on a real S3-API server (s3rver, BullMQ)',
    async () => {
      const { queue, redisBytes } = await bullmq();
      const client = await s3Bucket(inject('s3Endpoint'), BUCKET);
      const sink = await S3ArchiveSink.create({ bucket: BUCKET, prefix: 'webhooks', client });
      const storedBytes = async () => {
        const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
        const parts: string[] = [];
        for (const object of listed.Contents ?? []) {
          const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }));
          parts.push(await got.Body!.transformToString());
        }
        return parts.join('\n') + (await redisBytes());
      };
      return { queue, sink, storedBytes, cleanup: () => Promise.resolve(client.destroy()) };
    },
  ],
];

describe.each(setups)('archive and replay with %s', (_name, makeSetup) => {
  let app: INestApplication;
  let setup: Setup;
  let archive: WebhookArchive;
  const post = (delivery: ReturnType<typeof standardDelivery>) =>
    request(app.getHttpServer()).post('/webhooks/orders').set(delivery.headers).send(delivery.body);
  const runsOf = (id: string) => runs.filter((run) => run.id === id);
  const order = (type: string, extra: object = {}) =>
    standardDelivery(SECRET, { body: JSON.stringify({ type, ...extra }) });
  const redacting = () => setup.sink !== undefined;

  beforeAll(async () => {
    setup = await makeSetup();
    @Module({
      imports: [
        WebhooksModule.forRoot({
          secrets: SECRET,
          queue: setup.queue,
          // Without a sink the hook has nothing to act on: the queue keeps the body its worker needs.
          archive: setup.sink ? { sink: setup.sink, redact } : { redact },
        }),
      ],
      controllers: [HooksController],
      providers: [OrderHandlers],
    })
    class ArchiveModule {}
    app = await NestFactory.create(ArchiveModule, { rawBody: true, logger: false });
    await app.init();
    archive = app.get(WebhookArchive);
  });
  afterAll(async () => {
    await app.close();
    await setup.cleanup();
  });

  it('replays a delivery by id: its handlers run again with the same idempotency keys; freshKeys gives new ones', async () => {
    const delivery = order('order.created');
    expect((await post(delivery)).status).toBe(202);
    await vi.waitFor(() => expect(runsOf(delivery.id)).toHaveLength(2), { timeout: 10_000 });
    const original = new Map(runsOf(delivery.id).map((run) => [run.handler, run.key]));
    await vi.waitFor(
      async () => {
        const [entry] = await archive.list({ id: delivery.id });
        expect(entry?.outcomes).toMatchObject({
          'OrderHandlers.record': { state: 'processed', attempts: 1 },
          'OrderHandlers.audit': { state: 'processed', attempts: 1 },
        });
      },
      { timeout: 10_000 },
    );

    const replayed = await archive.replay({ id: delivery.id });
    expect(replayed).toHaveLength(1);
    expect(replayed[0]).toMatchObject({ deliveryId: delivery.id, endpoint: 'orders', type: 'order.created' });
    expect([...replayed[0]!.handlers].sort()).toEqual(['OrderHandlers.audit', 'OrderHandlers.record']);
    await vi.waitFor(() => expect(runsOf(delivery.id)).toHaveLength(4), { timeout: 10_000 });
    for (const run of runsOf(delivery.id).slice(2)) expect(run.key).toBe(original.get(run.handler));

    await archive.replay({ id: delivery.id, freshKeys: true });
    await vi.waitFor(() => expect(runsOf(delivery.id)).toHaveLength(6), { timeout: 10_000 });
    const fresh = runsOf(delivery.id).slice(4);
    for (const run of fresh) expect(run.key).not.toBe(original.get(run.handler));
    expect(new Set(fresh.map((run) => run.key)).size).toBe(2);
    // A replay is not a new delivery: the archive still holds it once.
    expect(await archive.list({ id: delivery.id })).toHaveLength(1);
  });

  it('records a dead-lettered handler beside a processed one', async () => {
    const delivery = order('order.created', { fail: 'permanent' });
    expect((await post(delivery)).status).toBe(202);
    await vi.waitFor(
      async () => {
        const [entry] = await archive.list({ id: delivery.id });
        expect(entry?.outcomes['OrderHandlers.record']).toMatchObject({
          state: 'dead-lettered',
          attempts: 1,
          error: 'order cannot be processed',
        });
        expect(entry?.outcomes['OrderHandlers.audit']).toMatchObject({ state: 'processed' });
      },
      { timeout: 10_000 },
    );
  });

  it('selects by endpoint, time range and type; a dry run queues nothing', async () => {
    const since = new Date();
    const created = order('order.created');
    const cancelled = order('order.cancelled');
    const refund = order('refund.issued');
    for (const delivery of [created, cancelled]) expect((await post(delivery)).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await post(refund)).status).toBe(202);
    const all = [created, cancelled, refund];
    await vi.waitFor(() => expect(all.flatMap((delivery) => runsOf(delivery.id)).length).toBe(5), {
      timeout: 10_000,
    });
    const ids = async (filter: Parameters<WebhookArchive['list']>[0]) =>
      (await archive.list(filter)).map((entry) => entry.deliveryId);

    expect(await ids({ since, endpoint: 'orders' })).toEqual([created.id, cancelled.id, refund.id]);
    expect(await ids({ since, type: 'order.*' })).toEqual([created.id, cancelled.id]);
    expect(await ids({ since, type: 'refund.issued' })).toEqual([refund.id]);
    expect(await ids({ since, until: between })).toEqual([created.id, cancelled.id]);
    expect(await ids({ since: between })).toEqual([refund.id]);
    expect(await ids({ since, endpoint: 'repo' })).toEqual([]);

    const before = runs.length;
    const dry = await archive.replay({ all: true, since, type: 'order.*', dryRun: true });
    expect(dry.map((entry) => entry.deliveryId)).toEqual([created.id, cancelled.id]);
    expect(dry.every((entry) => entry.replayId === undefined)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs.length).toBe(before);
    expect(await ids({ since })).toEqual([created.id, cancelled.id, refund.id]);

    const replayed = await archive.replay({ all: true, since, type: 'order.*' });
    expect(replayed.map((entry) => entry.deliveryId)).toEqual([created.id, cancelled.id]);
    await vi.waitFor(() => expect(runs.length).toBe(before + 4), { timeout: 10_000 });
    expect(runsOf(refund.id)).toHaveLength(1);
  });

  it('caps a bulk replay at N a second: count deliveries take at least count/N seconds', async () => {
    const since = new Date();
    const deliveries = Array.from({ length: 6 }, () => order('order.created'));
    for (const delivery of deliveries) expect((await post(delivery)).status).toBe(202);
    await vi.waitFor(async () => expect(await archive.list({ since, endpoint: 'orders' })).toHaveLength(6), {
      timeout: 10_000,
    });
    const rate = 4;
    const started = performance.now();
    const replayed = await archive.replay({ all: true, since, endpoint: 'orders', ratePerSecond: rate });
    const seconds = (performance.now() - started) / 1000;
    expect(replayed).toHaveLength(6);
    expect(seconds).toBeGreaterThanOrEqual(6 / rate);
    await vi.waitFor(
      () => expect(deliveries.flatMap((delivery) => runsOf(delivery.id))).toHaveLength(6 * 2 * 2),
      { timeout: 15_000 },
    );
  });

  it('never archives a secret: a shared-token delivery is kept without its token', async () => {
    const body = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main' });
    const headers = gitlab().sign({ secret: GITLAB_SECRET, body, id: randomUUID(), type: 'Push Hook' });
    const answer = await request(app.getHttpServer()).post('/webhooks/repo').set(headers).send(body);
    expect(answer.status).toBe(202);
    await vi.waitFor(async () => expect(await archive.list({ endpoint: 'repo' })).toHaveLength(1), {
      timeout: 10_000,
    });
    const [entry] = await archive.list({ endpoint: 'repo' });
    expect(entry!.delivery.headers['x-gitlab-event']).toBe('Push Hook');
    expect(entry!.delivery.headers).not.toHaveProperty('x-gitlab-token');
    const stored = await setup.storedBytes();
    expect(stored).toContain('Push Hook');
    expect(stored).not.toContain(GITLAB_SECRET);
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain(SECRET.slice('whsec_'.length));
  });

  it('redacts bodies with the hook before a sink keeps them: the replay gets the redacted body', async () => {
    // The queue's own retention is the job data the worker runs on: nothing there is redacted.
    const card = redacting() ? '[redacted]' : '4242424242424242';
    const delivery = order('order.created', { card: '4242424242424242' });
    expect((await post(delivery)).status).toBe(202);
    await vi.waitFor(() => expect(runsOf(delivery.id)).toHaveLength(2), { timeout: 10_000 });
    expect(runsOf(delivery.id).map((run) => run.card)).toEqual(['4242424242424242', '4242424242424242']);
    const [entry] = await archive.list({ id: delivery.id });
    expect(entry!.redacted).toBe(redacting());
    expect(Buffer.from(entry!.delivery.body, 'base64').toString()).toContain(`"card":"${card}"`);
    const [replayed] = await archive.replay({ id: delivery.id });
    expect(replayed!.redacted).toBe(redacting());
    await vi.waitFor(() => expect(runsOf(delivery.id)).toHaveLength(4), { timeout: 10_000 });
    expect(
      runsOf(delivery.id)
        .slice(2)
        .map((run) => run.card),
    ).toEqual([card, card]);
  });
});

describe('an archive sink that cannot store', () => {
  it('answers 503 (queue_unavailable), so the sender retries: nothing is acknowledged that is not archived', async () => {
    const queue = new InProcessQueue(retry);
    @Module({
      imports: [
        WebhooksModule.forRoot({
          secrets: SECRET,
          queue,
          // A real write that fails: the folder's parent is a file.
          archive: { sink: new FsArchiveSink({ directory: '/dev/null/archive' }) },
        }),
      ],
      controllers: [HooksController],
      providers: [OrderHandlers],
    })
    class BrokenArchiveModule {}
    const app = await NestFactory.create(BrokenArchiveModule, { rawBody: true, logger: false });
    await app.init();
    try {
      const delivery = standardDelivery(SECRET, { body: JSON.stringify({ type: 'order.created' }) });
      const answer = await request(app.getHttpServer())
        .post('/webhooks/orders')
        .set(delivery.headers)
        .send(delivery.body);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: 'queue_unavailable' });
    } finally {
      await app.close();
    }
  });
});
