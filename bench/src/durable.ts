/**
 * The durable route's figures beyond req/s (bench/README.md, "Durable processing"): Redis memory per
 * queued 1 KB delivery, and a burst of deliveries: how long acknowledging all of them takes, and how
 * long until the in-process worker has processed them all.
 */
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisServer } from '../../test/support/redis-server.js';
import { jsonBody } from './common.js';
import { DeliveryPool, startServer, stopServer } from './server-process.js';

export interface DurableReport {
  /** Growth of Redis `used_memory` per acknowledged 1 KB delivery (its job and its replay key). */
  readonly memoryBytesPerDelivery: number;
  readonly memoryDeliveries: number;
  readonly burst: {
    readonly deliveries: number;
    readonly connections: number;
    /** From the first request until every delivery was answered. */
    readonly acknowledgedMs: number;
    /** From the first request until the worker had completed every job. */
    readonly processedMs: number;
    readonly non2xx: number;
  };
}

/** The bench server's durable endpoint is `bench`: its BullMQ queue, as BullmqWebhookQueue names it. */
const QUEUE = 'webhooks-bench';
const PREFIX = '{vw}';

const usedMemory = async (redis: Redis) =>
  Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);

const send = (url: string, pool: DeliveryPool, amount: number, connections: number) =>
  autocannon({
    url,
    method: 'POST',
    connections,
    pipelining: 1,
    amount,
    timeout: 20,
    requests: pool.requests(),
  });

export async function durableReport(
  redis: Redis,
  redisServer: RedisServer,
  { burstDeliveries = 20_000, memoryDeliveries = 2_000 } = {},
): Promise<DurableReport> {
  const body = jsonBody(1024);

  // Memory: (q) stores and acknowledges, and no worker takes the jobs, so each stays in Redis.
  await redis.flushall();
  const receiver = await startServer('q', redisServer.url);
  let memoryBytesPerDelivery: number;
  try {
    await send(receiver.url, new DeliveryPool(body, 50, 'memory-warm-'), 50, 10);
    const before = await usedMemory(redis);
    const result = await send(
      receiver.url,
      new DeliveryPool(body, memoryDeliveries, 'memory-'),
      memoryDeliveries,
      10,
    );
    if (result.non2xx || result.errors)
      throw new Error(`memory run: ${result.non2xx} non-2xx, ${result.errors} errors`);
    memoryBytesPerDelivery = ((await usedMemory(redis)) - before) / memoryDeliveries;
  } finally {
    await stopServer(receiver);
  }

  // Burst: (r) acknowledges and runs the no-op handler in the same process.
  await redis.flushall();
  const connections = 50;
  const pool = new DeliveryPool(body, burstDeliveries, 'burst-');
  const server = await startServer('r', redisServer.url);
  const queue = new Queue(QUEUE, {
    connection: { host: '127.0.0.1', port: redisServer.port },
    prefix: PREFIX,
  });
  try {
    const started = performance.now();
    const result = await send(server.url, pool, burstDeliveries, connections);
    const acknowledgedMs = performance.now() - started;
    const deadline = started + 10 * 60_000;
    let completed = 0;
    while (completed < burstDeliveries - result.non2xx && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      completed = (await queue.getJobCounts('completed')).completed ?? 0;
    }
    return {
      memoryBytesPerDelivery,
      memoryDeliveries,
      burst: {
        deliveries: burstDeliveries,
        connections,
        acknowledgedMs,
        processedMs: performance.now() - started,
        non2xx: result.non2xx + result.errors,
      },
    };
  } finally {
    await queue.close();
    await stopServer(server);
  }
}
