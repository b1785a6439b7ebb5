import { createHmac } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { createApp } from '../../sample-app/src/create-app.js';
import { RedisServer } from '../support/redis-server.js';
import { SampleProcess } from '../support/sample-process.js';
import {
  hmacDelivery,
  LeakWatch,
  post,
  reportScenario,
  secretOf,
  standardDelivery,
} from './reliability-kit.js';

const STANDARD = secretOf(71);
const HMAC_SECRET = 'reliability-hmac-secret-leaks-0123456789';
const ACME = secretOf(72);
const GLOBEX = secretOf(73);

describe('7. no secret or signature in any log line or error body; 8. tenant isolation', () => {
  const watch = new LeakWatch();
  watch.watch(STANDARD, HMAC_SECRET, ACME, GLOBEX);
  const logLines: string[] = [];
  const capture: LoggerService = {
    log: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
    error: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
    warn: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
    debug: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
    verbose: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
  };
  let redis: RedisServer;
  let inProcess: { url: string; close: () => Promise<void> };
  let child: SampleProcess;
  const env = {
    STANDARD_WEBHOOK_SECRET: STANDARD,
    HMAC_WEBHOOK_SECRET: HMAC_SECRET,
    TENANT_SECRETS: JSON.stringify({ acme: ACME, globex: GLOBEX }),
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    Logger.overrideLogger(capture);
    const { app } = await createApp({ NODE_ENV: 'test', ...env, REDIS_URL: redis.url }, capture);
    app.useLogger(capture);
    await app.listen(0, '127.0.0.1');
    inProcess = { url: await app.getUrl(), close: () => app.close() };
    child = await SampleProcess.start({ ...env, REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await inProcess?.close();
    await child?.stop();
    await redis?.dispose();
  });

  it('8. isolation: wrong tenant 401, same id at two tenants both processed, fresh unsigned id refused', async () => {
    const base = child.url;
    const acme = standardDelivery(ACME);
    watch.watchDelivery(acme, 'webhook-signature');
    const onGlobex = await post(`${base}/webhooks/tenants/globex`, acme, watch);
    const onUnknown = await post(`${base}/webhooks/tenants/initech`, acme, watch);
    const sharedId = `msg_shared_${Date.now()}`;
    const atAcme = standardDelivery(ACME, { id: sharedId });
    const atGlobex = standardDelivery(GLOBEX, { id: sharedId });
    watch.watchDelivery(atAcme, 'webhook-signature');
    watch.watchDelivery(atGlobex, 'webhook-signature');
    const both = [
      await post(`${base}/webhooks/tenants/acme`, atAcme, watch),
      await post(`${base}/webhooks/tenants/globex`, atGlobex, watch),
    ];
    const original = hmacDelivery(HMAC_SECRET);
    watch.watchDelivery(original, 'x-hmac');
    const first = await post(`${base}/webhooks/hmac`, original, watch);
    const replay = await post(
      `${base}/webhooks/hmac`,
      { ...original, headers: { ...original.headers, 'x-webhook-id': 'd-fresh-unsigned-id' } },
      watch,
    );
    const events = (await (await fetch(`${base}/events`)).json()) as { id: string; endpoint: string }[];
    const shared = events
      .filter((e) => e.id === sharedId)
      .map((e) => e.endpoint)
      .sort();
    const replayedIds = events.filter((e) => e.id === 'd-fresh-unsigned-id').length;
    const falseAccepts =
      [onGlobex, onUnknown].filter((a) => a.status < 300).length + (replay.body.includes('received') ? 1 : 0);
    reportScenario({
      scenario: '8. tenant isolation and unsigned-id replay',
      load: '1 cross-tenant, 1 unknown tenant, 1 id at 2 tenants, 1 replay under a fresh id',
      faults: 'misrouted delivery, id collision across tenants, replay with a new unsigned id header',
      processed: events.length,
      duplicated: replayedIds,
      lost: 2 - shared.length,
      falseAccepts,
      crashes: child.alive ? 0 : 1,
      notes: `cross-tenant ${onGlobex.status}, unknown tenant ${onUnknown.status}, replay ${replay.status} ${replay.body}`,
    });
    expect(onGlobex.status).toBe(401);
    expect(onUnknown.status).toBe(401);
    expect(both.map((a) => a.status)).toEqual([200, 200]);
    expect(shared).toEqual(['tenants/acme', 'tenants/globex']);
    expect(first.status).toBe(200);
    // The replay is recognised by its signed body, not its unsigned id: a duplicate, never processed.
    expect(replay.body).toContain('duplicate');
    expect(replayedIds).toBe(0);
  });

  it('7. exercises every refusal path (and a store outage) without a secret or signature in logs or bodies', async () => {
    const urls = [inProcess.url, child.url];
    let answers = 0;
    for (const url of urls) {
      const good = standardDelivery(STANDARD);
      const signature = good.headers['webhook-signature']!;
      watch.watchDelivery(good, 'webhook-signature');
      const wrongSecret = standardDelivery(secretOf(99));
      watch.watchDelivery(wrongSecret, 'webhook-signature');
      // The signature the server would compute for a tampered body must never be echoed either.
      const tampered = { ...good, body: '{"type":"evil"}' };
      watch.watch(
        createHmac('sha256', Buffer.alloc(32, 71))
          .update(`${good.id}.${good.headers['webhook-timestamp']}.{"type":"evil"}`)
          .digest('base64'),
      );
      const hmacGood = hmacDelivery(HMAC_SECRET);
      watch.watchDelivery(hmacGood, 'x-hmac');
      const cases = [
        good,
        good,
        tampered,
        wrongSecret,
        { ...good, headers: { ...good.headers, 'webhook-timestamp': '1' } },
        { ...good, headers: { ...good.headers, 'webhook-signature': `v1,${'A'.repeat(9000)}` } },
        { ...good, headers: { ...good.headers, 'webhook-signature': signature.replace('v1,', 'v1,x') } },
        { ...hmacGood, body: `${String(hmacGood.body)} ` },
      ];
      for (const delivery of cases) {
        await post(`${url}/webhooks/standard`, delivery, watch);
        answers++;
      }
      await post(`${url}/webhooks/hmac`, hmacGood, watch);
      await post(`${url}/webhooks/tenants/nobody`, good, watch);
      answers += 2;
    }
    // A store outage: the 503 path logs the store's own error text.
    await redis.stop();
    for (const url of urls) {
      const delivery = standardDelivery(STANDARD);
      watch.watchDelivery(delivery, 'webhook-signature');
      const answer = await post(`${url}/webhooks/standard`, delivery, watch);
      expect(answer.status).toBe(503);
      answers++;
    }
    await redis.launch();
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const line of logLines) watch.capture(line);
    watch.captureOutput(child);
    const leaks = watch.leaks();
    reportScenario({
      scenario: '7. no secret or signature leaks',
      load: `${answers} requests over every refusal path, in-process and child process`,
      faults: 'tampered, wrong secret, stale, oversized and mangled signatures, unknown tenant, Redis down',
      processed: 0,
      duplicated: 0,
      lost: 0,
      falseAccepts: 0,
      crashes: child.alive ? 0 : 1,
      notes: `${watch.captured} log lines and error bodies checked; leaks: ${leaks.length}`,
    });
    expect(watch.captured).toBeGreaterThan(20);
    expect(
      logLines.some((line) => line.includes('replay_store_unavailable') || line.includes('refused')),
    ).toBe(true);
    expect(leaks).toEqual([]);
  });
});
