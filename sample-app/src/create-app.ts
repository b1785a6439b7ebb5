import 'reflect-metadata';
import type { Server } from 'node:http';
import type { DynamicModule, INestApplication, LoggerService } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ReplayStore, WebhookQueue } from '@verified-webhooks/core';
import { InProcessQueue, MemoryReplayStore, RedisReplayStore } from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import { AppModule } from './app.module.js';
import { FaultInjectionInterceptor } from './fault-injection.js';
import type { FaultCounter } from './queued-handlers.js';
import type { SampleConfig } from './sample-config.js';
import { loadSampleConfig } from './sample-config.js';

/** The HTTP platform: Express (default) or Fastify (`HTTP_PLATFORM=fastify`). */
export type HttpPlatform = 'express' | 'fastify';

export interface CreateAppOptions {
  /** Default: `HTTP_PLATFORM` from the environment, else Express. */
  readonly platform?: HttpPlatform;
}

export interface SampleApp {
  readonly app: INestApplication;
  readonly config: SampleConfig;
}

/** Builds the sample app from an environment; tests call it with their own. */
export async function createApp(
  env: NodeJS.ProcessEnv = process.env,
  logger: LoggerService | false | undefined = new Logger(),
  options: CreateAppOptions = {},
): Promise<SampleApp> {
  const log = logger === false ? silentLogger : new Logger('SampleApp');
  const config = loadSampleConfig(env, log);
  const replayStore: ReplayStore = config.redisClusterNodes
    ? await clusterStore(config.redisClusterNodes)
    : config.redisUrl
      ? await RedisReplayStore.fromUrl(config.redisUrl)
      : new MemoryReplayStore();
  const queue: WebhookQueue = config.redisClusterNodes
    ? await clusterQueue(config.redisClusterNodes, config.retry)
    : config.redisUrl
      ? await BullmqWebhookQueue.fromUrl(config.redisUrl, {
          retry: config.retry,
          lockDurationMs: config.jobLockMs,
        })
      : new InProcessQueue(config.retry);
  const platform = options.platform ?? httpPlatform(env.HTTP_PLATFORM);
  // rawBody: true keeps the exact bytes next to the parsed body: signatures are over bytes.
  const nestOptions: NestOptions = { rawBody: true, ...(logger === undefined ? {} : { logger }) };
  const faultCounter =
    config.faults && config.redisUrl ? await redisFaultCounter(config.redisUrl) : undefined;
  const module = AppModule.register(config, replayStore, queue, faultCounter);
  const app =
    platform === 'fastify'
      ? await createFastifyApp(module, config.bodyLimit, nestOptions)
      : await createExpressApp(module, config.bodyLimit, nestOptions);
  app.enableShutdownHooks();
  // Bound the time a sender may take to deliver headers and body: a trickled body is cut off (408).
  const server = app.getHttpServer() as Server & { connectionsCheckingInterval?: number };
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(server.headersTimeout, config.requestTimeoutMs);
  // Node checks these timeouts every 30 s by default; check often enough for short timeouts.
  server.connectionsCheckingInterval = Math.min(30_000, Math.max(100, config.requestTimeoutMs / 4));
  if (config.faults) {
    app.useGlobalInterceptors(new FaultInjectionInterceptor());
    log.warn('SAMPLE_FAULTS=1: fault injection is on (a test aid; never in production).');
  }
  log.log(
    config.redisClusterNodes
      ? `Replay store: Redis Cluster at ${config.redisClusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`
      : config.redisUrl
        ? `Replay store: Redis at ${redactUrl(config.redisUrl)}`
        : 'Replay store: in memory (one process; set REDIS_URL to share it)',
  );
  log.log(
    queue.durable
      ? 'Queue (POST /webhooks/queued/standard): BullMQ on the same Redis'
      : 'Queue (POST /webhooks/queued/standard): in process, NOT durable (set REDIS_URL for BullMQ)',
  );
  log.log(`HTTP platform: ${platform}`);
  // Said at every start: these are copied into real apps, where they must not stay public.
  log.warn(
    'Demonstration endpoints GET /events, GET /dead-letters and GET /metrics are public in this sample: protect them in a real app (README: protecting the operator surface).',
  );
  return { app, config };
}

type NestOptions = { rawBody: true; logger?: LoggerService | false };

async function createExpressApp(module: DynamicModule, bodyLimit: number, options: NestOptions) {
  const app = await NestFactory.create<NestExpressApplication>(module, options);
  app.useBodyParser('json', { limit: bodyLimit });
  app.useBodyParser('urlencoded', { limit: bodyLimit, extended: false });
  return app;
}

/**
 * Fastify like Express: the same body limit (Fastify's own, `bodyLimit`, answers 413), and any other
 * content type kept as raw bytes instead of Fastify's 415, as Express leaves the stream for the guard.
 */
async function createFastifyApp(module: DynamicModule, bodyLimit: number, options: NestOptions) {
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  // An authentic body may carry __proto__ keys: strip them from req.body instead of a 400 before verification.
  const adapter = new FastifyAdapter({
    bodyLimit,
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
  });
  adapter.getInstance().addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    (request as { rawBody?: Buffer }).rawBody = body as Buffer;
    done(null, body);
  });
  return NestFactory.create<NestFastifyApplication>(module, adapter, options);
}

function httpPlatform(value: string | undefined): HttpPlatform {
  if (value === undefined || value === '' || value === 'express') return 'express';
  if (value === 'fastify') return 'fastify';
  throw new Error(`HTTP_PLATFORM must be express or fastify, not "${value}".`);
}

/** A Redis Cluster client this store owns (closed with the app); fails fast while nodes are down. */
async function clusterStore(nodes: readonly { host: string; port: number }[]): Promise<RedisReplayStore> {
  const { Cluster } = await import('ioredis');
  const cluster = new Cluster([...nodes], { redisOptions: { maxRetriesPerRequest: 1 } });
  cluster.on('error', () => undefined);
  return new RedisReplayStore(cluster, {}, true);
}

/**
 * SAMPLE_FAULTS' failure counts in Redis, shared by every instance (a test aid; a day's expiry), and
 * the completed runs per delivery id in one hash (`sample-faults:completed`), which the crash and
 * shutdown scenarios read after an instance has exited.
 */
const COMPLETED_RUNS_KEY = 'sample-faults:completed';

async function redisFaultCounter(url: string): Promise<FaultCounter> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  const key = (id: string) => `sample-faults:${id}`;
  return {
    increment: async (id) => {
      const [[, count]] = (await client.multi().incr(key(id)).expire(key(id), 86_400).exec()) as [
        [null, number],
      ];
      return count;
    },
    current: async (id) => Number((await client.get(key(id))) ?? 0),
    completed: async (id) => {
      await client.multi().hincrby(COMPLETED_RUNS_KEY, id, 1).expire(COMPLETED_RUNS_KEY, 86_400).exec();
    },
    close: async () => {
      // A QUIT queued while reconnecting would wait for Redis to come back: disconnect instead.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

/** BullMQ on a Redis Cluster: a fail-fast producer and a blocking worker connection (closed with the app). */
async function clusterQueue(
  nodes: readonly { host: string; port: number }[],
  retry: SampleConfig['retry'],
): Promise<BullmqWebhookQueue> {
  const { Cluster } = await import('ioredis');
  const producer = new Cluster([...nodes], {
    enableOfflineQueue: false,
    redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2_000 },
  });
  const worker = new Cluster([...nodes], { redisOptions: { maxRetriesPerRequest: null } });
  for (const client of [producer, worker]) client.on('error', () => undefined);
  return new BullmqWebhookQueue(producer, worker, { retry }, true);
}

const silentLogger = { log: () => undefined, warn: () => undefined };

/** Keeps a password in REDIS_URL out of the log. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
