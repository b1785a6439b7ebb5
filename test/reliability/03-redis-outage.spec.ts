import { RedisServer } from '../support/redis-server.js';
import { SampleProcess } from '../support/sample-process.js';
import {
  eventsOf,
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
  tally,
  watchedDeliveries,
} from './reliability-kit.js';

const SECRET = secretOf(31);
const HMAC_SECRET = 'reliability-hmac-secret-outage-0123456789';
const DELIVERIES = SOAK ? 2_000 : 300;
const LEASE_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('3. Redis outage under load: fail closed, recover without restart', () => {
  let redis: RedisServer;
  let app: SampleProcess;
  const watch = new LeakWatch();
  watch.watch(SECRET, HMAC_SECRET);

  beforeAll(async () => {
    redis = await RedisServer.start();
    app = await SampleProcess.start({
      REDIS_URL: redis.url,
      ...sampleEnv(SECRET, HMAC_SECRET, { WEBHOOK_LEASE_MS: String(LEASE_MS) }),
    });
  });
  afterAll(() => stopAll(redis, app));

  it('answers 503 while Redis is down, processes nothing meanwhile, then delivers every delivery exactly once', async () => {
    const url = `${app.url}/webhooks/standard`;
    const processedCount = async () => (await eventsOf(app.url)).length;
    const deliveries = watchedDeliveries(SECRET, DELIVERIES, watch);
    let unavailable = 0;
    let unavailableDuringOutage = 0;
    let outage = false;
    const onStatus = (status: number) => {
      if (status === 503) {
        unavailable++;
        if (outage) unavailableDuringOutage++;
      }
    };
    // A slow, steady sender: each delivery retried on any non-2xx with backoff, at most 40 times.
    const sending = pool(deliveries, 8, async (delivery) => {
      await sleep(Math.random() * 20);
      return sendWithRetry(() => url, delivery, {
        attempts: 40,
        baseDelayMs: 50,
        maxDelayMs: 400,
        watch,
        onStatus,
      });
    });

    await until(async () => (await processedCount()) >= DELIVERIES / 5, 'the first deliveries');
    await redis.stop();
    outage = true;
    await sleep(300); // handlers that held a claim before the outage finish
    const before = await processedCount();
    await until(() => unavailableDuringOutage >= 20, 'the sender to see 503s');
    const probe = await post(url, standardDelivery(SECRET), watch);
    await sleep(1_000);
    const after = await processedCount();
    const aliveDuringOutage = app.alive;
    outage = false;
    await redis.launch();

    const results = await sending;
    const ids = deliveries.map((delivery) => delivery.id);
    const result = tally(ids, await eventsOf(app.url));
    watch.captureOutput(app);
    reportScenario({
      scenario: '3. Redis outage (SIGKILL, restart) under load',
      load: `${DELIVERIES} deliveries, retrying sender (≤40 attempts, backoff ≤400 ms), 8 at a time`,
      faults: 'redis-server SIGKILLed mid-run, restarted ~1.5 s later',
      ...result,
      falseAccepts: 0,
      crashes: app.alive ? 0 : 1,
      notes: `503 answers: ${unavailable}; processed during outage: ${after - before}; lease ${LEASE_MS} ms`,
    });

    expect(probe.status).toBe(503);
    expect(JSON.parse(probe.body)).toMatchObject({ error: 'replay_store_unavailable' });
    expect(after).toBe(before); // nothing is processed without a claim
    expect(aliveDuringOutage).toBe(true);
    expect(app.alive).toBe(true);
    expect(results.every((r) => r.delivered)).toBe(true);
    expect(result).toEqual({ processed: DELIVERIES, duplicated: 0, lost: 0, unexpected: 0 });
    // Recovered by itself: new deliveries after the restart are processed by the same process.
    const fresh = standardDelivery(SECRET);
    expect((await post(url, fresh, watch)).status).toBe(200);
    expect(watch.leaks()).toEqual([]);
  });
});
