import { RedisServer } from '../support/redis-server.js';
import type { SampleProcess } from '../support/sample-process.js';
import {
  describeStatuses,
  eventsOf,
  LeakWatch,
  reportScenario,
  secretOf,
  sendCopies,
  sampleEnv,
  SOAK,
  startTwoSamples,
  stopAll,
  tally,
  watchedDeliveries,
} from './reliability-kit.js';

const SECRET = secretOf(11);
const HMAC_SECRET = 'reliability-hmac-secret-exactly-once-0123456789';
const TENANTS = JSON.stringify({ acme: secretOf(12) });
const DELIVERIES = SOAK ? 5_000 : 1_000;
const COPIES = 3;

describe('1. exactly once across two sample-app processes sharing one Redis', () => {
  let redis: RedisServer;
  let apps: SampleProcess[] = [];
  const watch = new LeakWatch();
  watch.watch(SECRET, HMAC_SECRET, secretOf(12));

  beforeAll(async () => {
    redis = await RedisServer.start();
    apps = await startTwoSamples({
      REDIS_URL: redis.url,
      ...sampleEnv(SECRET, HMAC_SECRET, { TENANT_SECRETS: TENANTS }),
    });
  });
  afterAll(() => stopAll(redis, ...apps));

  it(`processes each of ${DELIVERIES} deliveries exactly once when each is sent ${COPIES} times at once to both`, async () => {
    const deliveries = watchedDeliveries(SECRET, DELIVERIES, watch);
    const urls = apps.map((app) => `${app.url}/webhooks/standard`);
    const { statuses, undelivered } = await sendCopies(urls, deliveries, COPIES, watch);

    const events = (await Promise.all(apps.map((app) => eventsOf(app.url)))).flat();
    const perInstance = await Promise.all(apps.map(async (app) => (await eventsOf(app.url)).length));
    const result = tally(
      deliveries.map((delivery) => delivery.id),
      events,
    );
    const crashes = apps.filter((app) => !app.alive).length;
    watch.captureOutput(...apps);
    reportScenario({
      scenario: '1. exactly once, 2 processes + 1 Redis',
      load: `${DELIVERIES} deliveries × ${COPIES} concurrent copies over 2 processes`,
      faults: 'none (races between copies)',
      ...result,
      falseAccepts: 0,
      crashes,
      notes: `answers ${describeStatuses(statuses)}; processed per instance ${perInstance.join('/')}`,
    });

    expect(result).toEqual({ processed: DELIVERIES, duplicated: 0, lost: 0, unexpected: 0 });
    expect(undelivered).toBe(0);
    // Both instances did real work (the load was spread), and nothing crashed.
    expect(perInstance.every((n) => n > 0)).toBe(true);
    expect(crashes).toBe(0);
    expect(watch.leaks()).toEqual([]);
  });
});
