import { execFileSync } from 'node:child_process';
import { RedisCluster } from '../support/redis-server.js';
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
  tallyQueued,
  watchedDeliveries,
} from './reliability-kit.js';

const SECRET = secretOf(21);
const HMAC_SECRET = 'reliability-hmac-secret-cluster-0123456789';
const DELIVERIES = SOAK ? 5_000 : 1_000;
const COPIES = 3;

const keysOf = (port: number) =>
  execFileSync('redis-cli', ['-p', String(port), '--scan', '--pattern', '*'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

describe('2. exactly once on a 3-master Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  let cluster: RedisCluster;
  let apps: SampleProcess[] = [];
  const watch = new LeakWatch();
  watch.watch(SECRET, HMAC_SECRET);

  beforeAll(async () => {
    cluster = await RedisCluster.start(3);
    apps = await startTwoSamples({ REDIS_CLUSTER_NODES: cluster.nodes, ...sampleEnv(SECRET, HMAC_SECRET) });
  });
  afterAll(() => stopAll(cluster, ...apps));

  it(`processes each of ${DELIVERIES} deliveries exactly once; keys are hash-tagged and spread over the masters`, async () => {
    expect(apps[0]!.output.join('\n')).toContain('Replay store: Redis Cluster');
    const deliveries = watchedDeliveries(SECRET, DELIVERIES, watch);
    const urls = apps.map((app) => `${app.url}/webhooks/standard`);
    const { statuses, undelivered } = await sendCopies(urls, deliveries, COPIES, watch);

    const events = (await Promise.all(apps.map((app) => eventsOf(app.url)))).flat();
    const result = tally(
      deliveries.map((delivery) => delivery.id),
      events,
    );
    const keysPerMaster = cluster.servers.map((server) => keysOf(server.port));
    // The replay keys (the queue of the sample's durable route keeps its own, under `{vw}:`).
    const allKeys = keysPerMaster.flat().filter((key) => key.startsWith('vw:{'));
    const crashes = apps.filter((app) => !app.alive).length;
    watch.captureOutput(...apps);
    reportScenario({
      scenario: '2. exactly once, 2 processes + Redis Cluster (3 masters)',
      load: `${DELIVERIES} deliveries × ${COPIES} concurrent copies over 2 processes`,
      faults: 'none (races between copies)',
      ...result,
      falseAccepts: 0,
      crashes,
      notes: `answers ${describeStatuses(statuses)}; keys per master ${keysPerMaster.map((k) => k.length).join('/')}`,
    });

    expect(result).toEqual({ processed: DELIVERIES, duplicated: 0, lost: 0, unexpected: 0 });
    expect(undelivered).toBe(0);
    expect(crashes).toBe(0);
    // One key per delivery, each `vw:{<digest>}` (a hash tag), on every master.
    expect(allKeys).toHaveLength(DELIVERIES);
    for (const key of allKeys) expect(key).toMatch(/^vw:\{.+\}$/);
    for (const keys of keysPerMaster)
      expect(keys.filter((key) => key.startsWith('vw:{')).length).toBeGreaterThan(DELIVERIES / 10);
    expect(watch.leaks()).toEqual([]);
  });

  it(`durable route: acknowledges and processes each of ${DELIVERIES} deliveries once through BullMQ on the Cluster`, async () => {
    expect(apps[0]!.output.join('\n')).toContain('Queue (POST /webhooks/queued/standard): BullMQ');
    const deliveries = watchedDeliveries(SECRET, DELIVERIES, watch);
    const ids = deliveries.map((delivery) => delivery.id);
    const urls = apps.map((app) => `${app.url}/webhooks/queued/standard`);
    const { statuses, undelivered } = await sendCopies(urls, deliveries, COPIES, watch);
    const result = await tallyQueued(apps, ids);
    // BullMQ's keys all carry the {vw} hash tag: one slot, one master.
    const queueKeys = cluster.servers.map((server) =>
      keysOf(server.port).filter((key) => key.startsWith('{vw}:')),
    );
    reportScenario({
      scenario: '2b. durable: exactly once, BullMQ on a 3-master Redis Cluster',
      load: `${DELIVERIES} deliveries × ${COPIES} concurrent copies over 2 processes, POST /webhooks/queued/standard`,
      faults: 'none (races between copies)',
      ...result,
      falseAccepts: 0,
      crashes: apps.filter((app) => !app.alive).length,
      notes: `answers ${describeStatuses(statuses)}; BullMQ keys per master ${queueKeys.map((keys) => keys.length).join('/')}`,
    });
    expect(result).toEqual({ processed: DELIVERIES, duplicated: 0, lost: 0, unexpected: 0 });
    expect(undelivered).toBe(0);
    expect(queueKeys.filter((keys) => keys.length > 0)).toHaveLength(1);
  });
});
