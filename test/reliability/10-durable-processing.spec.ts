import { RedisServer } from '../support/redis-server.js';
import type { SampleProcess } from '../support/sample-process.js';
import { runCli } from '../../libs/core/src/cli/cli.js';
import {
  describeStatuses,
  eventsOf,
  LeakWatch,
  post,
  reportScenario,
  sampleEnv,
  secretOf,
  sendCopies,
  SOAK,
  standardDelivery,
  startTwoSamples,
  stopAll,
  queuedEventsOf,
  tallyQueued,
  watchedDeliveries,
} from './reliability-kit.js';

const SECRET = secretOf(21);
const HMAC_SECRET = 'reliability-hmac-secret-durable-0123456789ab';
const DELIVERIES = SOAK ? 5_000 : 1_000;
const COPIES = 3;
const MAX_ATTEMPTS = 3;

describe('10. durable processing: two sample-app processes, BullMQ on one Redis', () => {
  let redis: RedisServer;
  let apps: SampleProcess[] = [];
  const watch = new LeakWatch();
  watch.watch(SECRET, HMAC_SECRET);

  beforeAll(async () => {
    redis = await RedisServer.start();
    apps = await startTwoSamples({
      REDIS_URL: redis.url,
      SAMPLE_FAULTS: '1',
      WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      WEBHOOK_RETRY_BASE_MS: '20',
      ...sampleEnv(SECRET, HMAC_SECRET),
    });
  });
  afterAll(() => stopAll(redis, ...apps));

  it(`acknowledges each of ${DELIVERIES} deliveries (×${COPIES} copies over both) and processes each once`, async () => {
    const deliveries = watchedDeliveries(SECRET, DELIVERIES, watch);
    const urls = apps.map((app) => `${app.url}/webhooks/queued/standard`);
    const { statuses, undelivered } = await sendCopies(urls, deliveries, COPIES, watch);
    const ids = deliveries.map((delivery) => delivery.id);
    const result = await tallyQueued(apps, ids);
    const events = await queuedEventsOf(apps);
    const perInstance = await Promise.all(
      apps.map(async (app) => (await eventsOf(app.url)).filter((event) => event.via === 'queue').length),
    );
    reportScenario({
      scenario: '10a. durable: exactly once, 2 processes + BullMQ on 1 Redis',
      load: `${DELIVERIES} deliveries × ${COPIES} concurrent copies over 2 processes, POST /webhooks/queued/standard`,
      faults: 'none (races between copies)',
      ...result,
      falseAccepts: 0,
      crashes: apps.filter((app) => !app.alive).length,
      notes: `answers ${describeStatuses(statuses)}; processed per worker ${perInstance.join('/')}`,
    });
    expect(result).toEqual({ processed: DELIVERIES, duplicated: 0, lost: 0, unexpected: 0 });
    expect(undelivered).toBe(0);
    expect([...statuses.keys()].every((status) => status === 202 || status === 200 || status === 409)).toBe(
      true,
    );
    expect(events.every((event) => event.via === 'queue' && event.attempts === 1)).toBe(true);
  });

  it('retries a failing handler until attempt n; dead-letters a permanent failure after 1 attempt and an exhausted one after the last; a dead letter retried from the CLI is processed', async () => {
    const flaky = standardDelivery(SECRET, {
      body: JSON.stringify({ type: 'order.created', sampleFail: 2 }),
    });
    const permanent = standardDelivery(SECRET, {
      body: JSON.stringify({ type: 'order.created', sampleFail: 'permanent' }),
    });
    // Fails more often than the attempts allow: dead-lettered, then succeeds once retried (the sample counts
    // its failures across retries).
    const exhausted = standardDelivery(SECRET, {
      body: JSON.stringify({ type: 'order.created', sampleFail: MAX_ATTEMPTS }),
    });
    for (const delivery of [flaky, permanent, exhausted]) {
      expect((await post(`${apps[0]!.url}/webhooks/queued/standard`, delivery)).status).toBe(202);
    }
    await vi.waitFor(
      async () => {
        const letters = (await (await fetch(`${apps[0]!.url}/dead-letters`)).json()) as {
          id: string;
          attempts: number;
          error: string;
        }[];
        expect(letters.map((letter) => [letter.id, letter.attempts]).sort()).toEqual(
          [
            [exhausted.id, MAX_ATTEMPTS],
            [permanent.id, 1],
          ].sort(),
        );
      },
      { timeout: 30_000, interval: 200 },
    );
    await vi.waitFor(
      async () => {
        const done = (await queuedEventsOf(apps)).find((event) => event.id === flaky.id);
        expect(done?.attempts).toBe(3);
      },
      { timeout: 30_000 },
    );

    const out: string[] = [];
    const code = await runCli(['dead-letters', 'retry', '--id', exhausted.id, '--redis', redis.url], {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    expect([code, out.at(-1)]).toEqual([0, '1 dead letter(s) retried']);
    await vi.waitFor(
      async () => {
        expect((await queuedEventsOf(apps)).filter((event) => event.id === exhausted.id)).toHaveLength(1);
      },
      { timeout: 30_000 },
    );
    reportScenario({
      scenario: '10b. durable: retries, dead letters, CLI retry',
      load: '3 deliveries to the durable route (sampleFail: 2, permanent, 3) with WEBHOOK_MAX_ATTEMPTS=3',
      faults: 'handler failures asked by the verified payload (SAMPLE_FAULTS=1)',
      processed: 2,
      duplicated: 0,
      lost: 0,
      falseAccepts: 0,
      crashes: apps.filter((app) => !app.alive).length,
      notes:
        'sampleFail 2: processed at attempt 3; permanent: dead letter after 1 attempt; 3: dead letter after 3, processed after `verified-webhooks dead-letters retry`',
    });
    expect(watch.leaks()).toEqual([]);
  });
});
