import { RedisServer } from '../support/redis-server.js';
import type { SampleProcess } from '../support/sample-process.js';
import { runCli } from '../../libs/core/src/cli/cli.js';
import {
  describeStatuses,
  LeakWatch,
  post,
  queuedEventsOf,
  reportScenario,
  sampleEnv,
  secretOf,
  SOAK,
  startTwoSamples,
  stopAll,
  tallyQueued,
  watchedDeliveries,
} from './reliability-kit.js';

const SECRET = secretOf(22);
const HMAC_SECRET = 'reliability-hmac-secret-pause-0123456789abcd';
const DELIVERIES = SOAK ? 1_000 : 100;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

/** One sample from a Prometheus text exposition. */
function metric(text: string, line: RegExp): number | undefined {
  const found = text.split('\n').find((entry) => line.test(entry));
  return found === undefined ? undefined : Number(found.slice(found.lastIndexOf(' ') + 1));
}

describe('12. pause and resume from the CLI: two sample-app processes, BullMQ on one Redis', () => {
  let redis: RedisServer;
  let apps: SampleProcess[] = [];
  const watch = new LeakWatch();
  watch.watch(SECRET, HMAC_SECRET);

  beforeAll(async () => {
    redis = await RedisServer.start();
    apps = await startTwoSamples({ REDIS_URL: redis.url, ...sampleEnv(SECRET, HMAC_SECRET) });
  });
  afterAll(() => stopAll(redis, ...apps));

  it(`a paused endpoint acknowledges and holds ${DELIVERIES} deliveries over both processes; resumed, each is processed once`, async () => {
    const paused = await cli('pause', '--redis', redis.url, '--endpoint', 'queued-standard', '--force');
    expect(paused.code).toBe(0);
    const deliveries = watchedDeliveries(SECRET, DELIVERIES, watch);
    const statuses = new Map<number, number>();
    for (const [index, delivery] of deliveries.entries()) {
      const app = apps[index % apps.length]!;
      const answer = await post(`${app.url}/webhooks/queued/standard`, delivery, watch);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    expect(statuses).toEqual(new Map([[202, DELIVERIES]]));
    // Neither process's worker ran one: the pause is in Redis, for every worker.
    expect(await queuedEventsOf(apps)).toEqual([]);
    const status = await cli('status', '--redis', redis.url, '--endpoint', 'queued-standard');
    expect(status.out[0]).toMatch(new RegExp(`^queued-standard {2}paused {2}waiting ${DELIVERIES} `));
    const scraped = await Promise.all(apps.map(async (app) => (await fetch(`${app.url}/metrics`)).text()));
    for (const text of scraped) {
      expect(metric(text, /^webhook_queue_jobs\{endpoint="queued-standard",state="paused"\}/)).toBe(
        DELIVERIES,
      );
      expect(metric(text, /^webhook_queue_paused\{endpoint="queued-standard"\}/)).toBe(1);
    }
    const health = (await (await fetch(`${apps[0]!.url}/health`)).json()) as {
      info: { webhookQueue: { paused: string[] } };
    };
    expect(health.info.webhookQueue.paused).toEqual(['queued-standard']);
    expect(await queuedEventsOf(apps)).toEqual([]);

    const resumed = await cli('resume', '--redis', redis.url, '--endpoint', 'queued-standard');
    expect(resumed.code).toBe(0);
    const ids = deliveries.map((delivery) => delivery.id);
    const result = await tallyQueued(apps, ids);
    const after = await (await fetch(`${apps[1]!.url}/metrics`)).text();
    reportScenario({
      scenario: '12. durable: pause and resume (CLI), 2 processes + BullMQ',
      load: `${DELIVERIES} deliveries over 2 processes while queued-standard is paused, then resumed`,
      faults: 'the endpoint paused from the CLI: nothing may run, nothing may be lost',
      ...result,
      falseAccepts: 0,
      crashes: apps.filter((app) => !app.alive).length,
      notes: `answers while paused ${describeStatuses(statuses)}; processed while paused 0; webhook_queue_jobs{state="paused"} ${DELIVERIES} on both processes, then ${metric(after, /^webhook_queue_jobs\{endpoint="queued-standard",state="paused"\}/)}`,
    });
    expect(result).toEqual({ processed: DELIVERIES, duplicated: 0, lost: 0, unexpected: 0 });
    expect(metric(after, /^webhook_queue_paused\{endpoint="queued-standard"\}/)).toBe(0);
    // Nothing any process logged (job lines, the pause warning) holds a secret or a signature.
    watch.captureOutput(...apps);
    expect(watch.captured).toBeGreaterThan(0);
    expect(watch.leaks()).toEqual([]);
  });
});
