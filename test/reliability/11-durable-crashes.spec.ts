import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisServer } from '../support/redis-server.js';
import { SampleProcess } from '../support/sample-process.js';
import {
  LeakWatch,
  pool,
  post,
  reportScenario,
  sampleEnv,
  secretOf,
  sendWithRetry,
  SOAK,
  standardDelivery,
  stopAll,
} from './reliability-kit.js';
import type { Delivery } from './reliability-kit.js';

const SECRET = secretOf(22);
const HMAC_SECRET = 'reliability-hmac-secret-durable-crash-0123';
const QUEUED = '/webhooks/queued/standard';
/** Where the sample (SAMPLE_FAULTS=1 with Redis) counts completed handler runs per delivery id. */
const COMPLETED_RUNS = 'sample-faults:completed';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const slowDelivery = (slowMs: number) =>
  standardDelivery(SECRET, { body: JSON.stringify({ type: 'order.created', sampleSlowMs: slowMs }) });

/** Completed handler runs per delivery id, as every instance recorded them in Redis. */
async function completedRuns(redisUrl: string): Promise<Map<string, number>> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const runs = await client.hgetall(COMPLETED_RUNS);
    return new Map(Object.entries(runs).map(([id, count]) => [id, Number(count)]));
  } finally {
    client.disconnect();
  }
}

/** Waits until every id has a completed run, then tallies runs: lost (none) and doubled (more than one). */
async function tallyRuns(redisUrl: string, ids: readonly string[], timeout = 90_000) {
  await vi.waitFor(
    async () => {
      const runs = await completedRuns(redisUrl);
      expect(ids.filter((id) => !runs.has(id))).toEqual([]);
    },
    { timeout, interval: 500 },
  );
  // A second run would come from a stalled-job check, which runs every job-lock period (1 s here).
  await sleep(2_500);
  const runs = await completedRuns(redisUrl);
  return {
    processed: ids.filter((id) => runs.has(id)).length,
    duplicated: ids.filter((id) => (runs.get(id) ?? 0) > 1).length,
    lost: ids.filter((id) => !runs.has(id)).length,
    unexpected: [...runs.keys()].filter((id) => !ids.includes(id)).length,
  };
}

/**
 * Sends every delivery like a provider (retrying non-2xx and network errors, here patiently enough to
 * outlast an outage), spread over `urls`; returns the ids that were acknowledged 202 (or 200 for a
 * duplicate of an acknowledged one) and every status seen.
 */
async function sendAll(
  urls: readonly string[],
  deliveries: readonly Delivery[],
  watch: LeakWatch,
  { gapMs = 0, onAcknowledged }: { gapMs?: number; onAcknowledged?: (id: string) => void } = {},
) {
  const acknowledged: string[] = [];
  const statuses = new Map<number, number>();
  let index = 0;
  await pool(deliveries, 8, async (delivery) => {
    const start = index++;
    // Spread the load over time, so the fault lands while deliveries are still arriving.
    await sleep(gapMs);
    const result = await sendWithRetry((attempt) => urls[(start + attempt) % urls.length]!, delivery, {
      attempts: 30,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      watch,
      onStatus: (status) => statuses.set(status, (statuses.get(status) ?? 0) + 1),
    });
    if (result.delivered) {
      acknowledged.push(delivery.id);
      onAcknowledged?.(delivery.id);
    }
  });
  return { acknowledged, statuses };
}

const describeStatuses = (statuses: Map<number, number>) =>
  [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status === 0 ? 'no answer' : status}×${n}`)
    .join(' ');

const environment = (redisUrl: string, extra: Record<string, string> = {}) => ({
  ...extra,
  REDIS_URL: redisUrl,
  SAMPLE_FAULTS: '1',
  // A crashed worker's job runs elsewhere after this: short, so the scenario takes seconds.
  WEBHOOK_JOB_LOCK_MS: '1000',
  WEBHOOK_RETRY_BASE_MS: '50',
  ...sampleEnv(SECRET, HMAC_SECRET),
});

describe('11. durable processing under crashes: worker SIGKILL, Redis SIGKILL with AOF, SIGTERM under load', () => {
  const watch = new LeakWatch();
  watch.watch(SECRET, HMAC_SECRET);

  it('a worker process SIGKILLed mid-handler: its job is recovered by another process and completes once', async () => {
    const redis = await RedisServer.start();
    const apps: SampleProcess[] = [];
    const queue = new Queue('webhooks-queued-standard', {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: '{vw}',
    });
    try {
      const crashing = await SampleProcess.start(environment(redis.url));
      apps.push(crashing);
      const delivery = slowDelivery(3_000);
      expect((await post(`${crashing.url}${QUEUED}`, delivery, watch)).status).toBe(202);
      // The only worker takes the job; it is mid-handler (sleeping) when the process is killed.
      await vi.waitFor(async () => expect(await queue.getActiveCount()).toBe(1), { timeout: 10_000 });
      await crashing.kill('SIGKILL');
      const survivor = await SampleProcess.start(environment(redis.url));
      apps.push(survivor);
      const result = await tallyRuns(redis.url, [delivery.id], 60_000);
      const job = (await queue.getCompleted()).find(
        (completed) => completed.data.delivery.id === delivery.id,
      );
      reportScenario({
        scenario: '11a. durable: worker SIGKILLed mid-handler',
        load: '1 delivery whose handler takes 3 s, to the durable route of the only worker process',
        faults: 'the worker process SIGKILLed mid-handler; a new process started (job lock 1 s)',
        ...result,
        falseAccepts: 0,
        crashes: 0,
        notes: `recovered by the new process's stalled-job check; BullMQ attempts started ${job?.attemptsStarted}, completed once`,
      });
      expect(result).toEqual({ processed: 1, duplicated: 0, lost: 0, unexpected: 0 });
      expect(survivor.alive).toBe(true);
    } finally {
      await queue.close();
      await stopAll(redis, ...apps);
    }
  }, 120_000);

  it('Redis SIGKILLed under a sender (AOF, appendfsync always): no acknowledged delivery is lost', async () => {
    const redis = await RedisServer.start({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    const apps: SampleProcess[] = [];
    try {
      // A claim taken just before Redis died cannot be released (the enqueue failed, the sender got 503);
      // it survives on the AOF, and its copies are answered 409 until its lease ends: 3 s here, not 60.
      const env = environment(redis.url, { WEBHOOK_LEASE_MS: '3000' });
      apps.push(await SampleProcess.start(env), await SampleProcess.start(env));
      const count = SOAK ? 2_000 : 400;
      const deliveries = Array.from({ length: count }, () => slowDelivery(20));
      const urls = apps.map((app) => `${app.url}${QUEUED}`);
      const sending = sendAll(urls, deliveries, watch);
      // Kill Redis once part of the load is acknowledged, keep it down a moment, start it on its AOF.
      await vi.waitFor(async () => expect((await completedRuns(redis.url)).size).toBeGreaterThan(count / 4), {
        timeout: 60_000,
        interval: 50,
      });
      await redis.stop();
      await sleep(1_500);
      await redis.launch();
      const { acknowledged, statuses } = await sending;
      const result = await tallyRuns(redis.url, acknowledged);
      reportScenario({
        scenario: '11b. durable: Redis SIGKILLed with AOF (appendfsync always)',
        load: `${count} deliveries over 2 processes, POST ${QUEUED}, a provider-like sender retrying`,
        faults: 'redis-server SIGKILLed after a quarter were processed, down 1.5 s, restarted on its AOF',
        ...result,
        falseAccepts: 0,
        crashes: apps.filter((app) => !app.alive).length,
        notes: `${acknowledged.length} of ${count} acknowledged; answers ${describeStatuses(statuses)}; duplicated = a handler run completed twice (at-least-once, see README)`,
      });
      expect(acknowledged).toHaveLength(count);
      expect(result.lost).toBe(0);
      expect(result.unexpected).toBe(0);
      expect(apps.every((app) => app.alive)).toBe(true);
    } finally {
      await stopAll(redis, ...apps);
    }
  }, 180_000);

  it('SIGTERM to one of two processes under load: nothing lost, nothing run twice', async () => {
    const redis = await RedisServer.start();
    const apps: SampleProcess[] = [];
    try {
      const stopping = await SampleProcess.start(environment(redis.url));
      const staying = await SampleProcess.start(environment(redis.url));
      apps.push(stopping, staying);
      const count = SOAK ? 2_000 : 300;
      // Handlers take 200 ms, so the stopping process has jobs running when it is told to stop.
      const deliveries = Array.from({ length: count }, () => slowDelivery(200));
      const acknowledgedSoFar: string[] = [];
      const sending = sendAll([`${stopping.url}${QUEUED}`, `${staying.url}${QUEUED}`], deliveries, watch, {
        gapMs: 25,
        onAcknowledged: (id) => acknowledgedSoFar.push(id),
      });
      // Stopped a third of the way through the load: requests arriving, its workers running jobs.
      await vi.waitFor(() => expect(acknowledgedSoFar.length).toBeGreaterThan(count / 3), {
        timeout: 60_000,
        interval: 20,
      });
      const runningWhenStopped = (await completedRuns(redis.url)).size;
      await stopping.stop();
      const { acknowledged, statuses } = await sending;
      const result = await tallyRuns(redis.url, acknowledged);
      reportScenario({
        scenario: '11c. durable: SIGTERM under load',
        load: `${count} deliveries (handler 200 ms) over 2 processes, POST ${QUEUED}`,
        faults:
          'SIGTERM to one process a third of the way through the load (drains its running jobs, then exits)',
        ...result,
        falseAccepts: 0,
        crashes: staying.alive ? 0 : 1,
        notes: `${acknowledged.length} of ${count} acknowledged; answers ${describeStatuses(statuses)}; ${runningWhenStopped} processed when the SIGTERM came; the stopped process exited with ${stopping.exitInfo}`,
      });
      expect(acknowledged).toHaveLength(count);
      expect(result).toEqual({ processed: count, duplicated: 0, lost: 0, unexpected: 0 });
      expect(staying.alive).toBe(true);
      expect(watch.leaks()).toEqual([]);
    } finally {
      await stopAll(redis, ...apps);
    }
  }, 180_000);
});
