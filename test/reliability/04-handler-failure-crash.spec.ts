import { RedisServer } from '../support/redis-server.js';
import type { SampleProcess } from '../support/sample-process.js';
import {
  eventsOf,
  LeakWatch,
  pool,
  post,
  reportScenario,
  secretOf,
  sendWithRetry,
  sampleEnv,
  SOAK,
  startTwoSamples,
  stopAll,
  tally,
  watchedDeliveries,
} from './reliability-kit.js';

const SECRET = secretOf(41);
const HMAC_SECRET = 'reliability-hmac-secret-crash-0123456789';
const LEASE_MS = 1_500;
const THROWING = SOAK ? 500 : 50;
const IN_CRASH = SOAK ? 100 : 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('4. handler failure and process crash (SAMPLE_FAULTS=1, lease 1.5 s)', () => {
  let redis: RedisServer;
  let a: SampleProcess;
  let b: SampleProcess;
  const watch = new LeakWatch();
  watch.watch(SECRET, HMAC_SECRET);

  beforeAll(async () => {
    redis = await RedisServer.start();
    [a, b] = await startTwoSamples({
      REDIS_URL: redis.url,
      ...sampleEnv(SECRET, HMAC_SECRET, { WEBHOOK_LEASE_MS: String(LEASE_MS), SAMPLE_FAULTS: '1' }),
    });
  });
  afterAll(() => stopAll(redis, a, b));

  it('a throwing handler answers 5xx, releases the claim, and the retry (other instance) is processed once', async () => {
    const deliveries = watchedDeliveries(SECRET, THROWING, watch);
    const failed = await pool(deliveries, 8, (delivery) =>
      post(`${a.url}/webhooks/standard`, delivery, watch, { 'x-sample-fault': 'throw' }),
    );
    const afterFailure = tally(
      deliveries.map((d) => d.id),
      [...(await eventsOf(a.url)), ...(await eventsOf(b.url))],
    );
    // The retry goes straight to the other instance: no lease wait, the claim was released.
    const retried = await pool(deliveries, 8, (delivery) =>
      post(`${b.url}/webhooks/standard`, delivery, watch),
    );
    const again = await pool(deliveries, 8, (delivery) =>
      post(`${a.url}/webhooks/standard`, delivery, watch),
    );
    const result = tally(
      deliveries.map((d) => d.id),
      [...(await eventsOf(a.url)), ...(await eventsOf(b.url))],
    );
    reportScenario({
      scenario: '4a. handler throws, retry to the other instance',
      load: `${THROWING} deliveries: 1 failing attempt + 1 retry + 1 duplicate each`,
      faults: 'x-sample-fault: throw on the first attempt',
      ...result,
      falseAccepts: 0,
      crashes: [a, b].filter((app) => !app.alive).length,
      notes: `first attempts ${failed.filter((r) => r.status === 500).length}×500; retries ${retried.filter((r) => r.status === 200).length}×200`,
    });

    expect(failed.every((answer) => answer.status === 500)).toBe(true);
    expect(afterFailure.processed).toBe(0);
    expect(retried.every((answer) => answer.status === 200 && !answer.body.includes('duplicate'))).toBe(true);
    expect(again.every((answer) => answer.status === 200 && answer.body.includes('duplicate'))).toBe(true);
    expect(result).toEqual({ processed: THROWING, duplicated: 0, lost: 0, unexpected: 0 });
  });

  it('a process SIGKILLed in the middle of handlers: after the lease the retries (other instance) are processed once', async () => {
    const deliveries = watchedDeliveries(SECRET, IN_CRASH, watch);
    // A's handlers hang (slow:60000) while holding their claims.
    const hanging = deliveries.map((delivery) =>
      post(`${a.url}/webhooks/standard`, delivery, undefined, { 'x-sample-fault': 'slow:60000' }).catch(
        () => ({ status: 0, body: '' }),
      ),
    );
    // Wait until every claim is held by A: B answers 409 (in flight) for each.
    const deadline = Date.now() + 10_000;
    let held: number[];
    do {
      await sleep(50);
      held = (await pool(deliveries, 8, (d) => post(`${b.url}/webhooks/standard`, d))).map((r) => r.status);
    } while (held.some((status) => status !== 409) && Date.now() < deadline);
    expect(held.every((status) => status === 409)).toBe(true);

    await a.kill('SIGKILL');
    const killedAnswers = await Promise.all(hanging);
    // Right after the crash the claims are still leased: the retry is refused with 409 + Retry-After.
    const early = await post(`${b.url}/webhooks/standard`, deliveries[0]!, watch);
    // The sender keeps retrying (to B, the surviving instance) until the lease ends.
    const results = await pool(deliveries, 8, (delivery) =>
      sendWithRetry(() => `${b.url}/webhooks/standard`, delivery, {
        attempts: 30,
        baseDelayMs: 100,
        maxDelayMs: 500,
        watch,
      }),
    );
    const result = tally(
      deliveries.map((d) => d.id),
      await eventsOf(b.url),
    );
    watch.captureOutput(a, b);
    reportScenario({
      scenario: '4b. process SIGKILLed mid-handler, retry to the other instance',
      load: `${IN_CRASH} deliveries hanging in A's handlers, then retried to B`,
      faults: `SIGKILL of instance A while it holds ${IN_CRASH} claims (lease ${LEASE_MS} ms)`,
      ...result,
      falseAccepts: 0,
      crashes: b.alive ? 0 : 1,
      notes: `retry right after the kill: ${early.status}; attempts per delivery ≤ ${Math.max(...results.map((r) => r.statuses.length))}`,
    });

    expect(killedAnswers.every((answer) => answer.status === 0)).toBe(true); // A never answered
    expect(early.status).toBe(409);
    expect(results.every((r) => r.delivered)).toBe(true);
    expect(result).toMatchObject({ processed: IN_CRASH, duplicated: 0, lost: 0 }); // B also lists 4a's
    expect(b.alive).toBe(true);
    expect(watch.leaks()).toEqual([]);
  });
});
