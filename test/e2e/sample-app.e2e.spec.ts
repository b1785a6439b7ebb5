import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Webhook as SvixWebhook } from 'svix';
import { inject } from 'vitest';
import type { HttpPlatform, RunningSampleApp, StoreKind } from '../support/sample-app.js';
import { PLATFORMS, startSampleApp } from '../support/sample-app.js';
import type { SignedDelivery as Delivery } from '../support/deliveries.js';
import { hmacDelivery, secretOf, standardDelivery } from '../support/deliveries.js';

const STANDARD_SECRET = secretOf(1);
const HMAC_SECRET = 'hmac-secret-for-the-e2e-suite-0123456789';
const ACME = secretOf(2);
const GLOBEX_NEW = secretOf(3);
const GLOBEX_OLD = secretOf(4);
const BODY_LIMIT = 4096;

/** Every platform × every store: Fastify must answer exactly like Express. */
const MATRIX = PLATFORMS.flatMap((platform) =>
  (['memory', 'redis'] as const).map((store): [HttpPlatform, StoreKind] => [platform, store]),
);

/** One sample from a Prometheus text exposition, 0 when absent. */
function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((label) => l.includes(label)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe.each(MATRIX)('sample app e2e (%s, %s store)', (platform, store) => {
  let sample: RunningSampleApp;
  const post = (path: string, delivery: Delivery) =>
    request(sample.url).post(path).set(delivery.headers).send(delivery.body);
  const processedIds = async () =>
    ((await request(sample.url).get('/events')).body as { id: string }[]).map((event) => event.id);

  beforeAll(async () => {
    sample = await startSampleApp(
      {
        STANDARD_WEBHOOK_SECRET: STANDARD_SECRET,
        HMAC_WEBHOOK_SECRET: HMAC_SECRET,
        TENANT_SECRETS: JSON.stringify({ acme: ACME, globex: [GLOBEX_NEW, GLOBEX_OLD] }),
        WEBHOOK_BODY_LIMIT: String(BODY_LIMIT),
      },
      store === 'redis' ? inject('redisUrl') : undefined,
      platform,
    );
  });
  afterAll(() => sample.close());

  it('processes a valid delivery once and lists it in GET /events', async () => {
    const delivery = standardDelivery(STANDARD_SECRET);
    const first = await post('/webhooks/standard', delivery);
    expect(first.status).toBe(200);
    const events = (await request(sample.url).get('/events')).body as Record<string, unknown>[];
    expect(events.at(-1)).toMatchObject({
      provider: 'standard-webhooks',
      endpoint: 'standard',
      id: delivery.headers['webhook-id'],
      type: 'invoice.paid',
    });
    expect(typeof events.at(-1)!.receivedAt).toBe('string');
  });

  it('answers a duplicate of a processed delivery 2xx without processing it again', async () => {
    const delivery = standardDelivery(STANDARD_SECRET);
    expect((await post('/webhooks/standard', delivery)).status).toBe(200);
    const again = await post('/webhooks/standard', delivery);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ duplicate: true });
    expect((await processedIds()).filter((id) => id === delivery.headers['webhook-id'])).toHaveLength(1);
  });

  it('accepts svix-* headers signed by the official svix library', async () => {
    const id = `msg_${randomUUID()}`;
    const body = JSON.stringify({ type: 'user.created' });
    const at = new Date();
    const response = await request(sample.url)
      .post('/webhooks/standard')
      .set({
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
        'svix-signature': new SvixWebhook(STANDARD_SECRET).sign(id, at, body),
      })
      .send(body);
    expect(response.status).toBe(200);
    expect(await processedIds()).toContain(id);
  });

  it('processes exactly one of 50 concurrent copies of one delivery; the rest get 2xx or 409', async () => {
    const delivery = standardDelivery(STANDARD_SECRET);
    const answers = await Promise.all(Array.from({ length: 50 }, () => post('/webhooks/standard', delivery)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    expect(
      answers.filter((answer) => answer.status === 409).every((answer) => answer.headers['retry-after']),
    ).toBe(true);
    expect((await processedIds()).filter((id) => id === delivery.headers['webhook-id'])).toHaveLength(1);
  });

  it('answers 5xx when the handler throws, releases the claim, and processes the retry', async () => {
    const delivery = standardDelivery(STANDARD_SECRET);
    const record = vi.spyOn(sample.events, 'record').mockImplementationOnce(() => {
      throw new Error('database down');
    });
    expect((await post('/webhooks/standard', delivery)).status).toBe(500);
    expect(await processedIds()).not.toContain(delivery.headers['webhook-id']);
    expect((await post('/webhooks/standard', delivery)).status).toBe(200);
    expect((await processedIds()).filter((id) => id === delivery.headers['webhook-id'])).toHaveLength(1);
    record.mockRestore();
  });

  it(`runs on ${platform}`, async () => {
    const server = (await request(sample.url).get('/events')).headers;
    // Fastify's reply and Express's response differ in headers they add by default.
    expect(server['x-powered-by'] === 'Express').toBe(platform === 'express');
  });

  it('accepts a content type no parser reads (like Express, not a 415 from Fastify)', async () => {
    const delivery = hmacDelivery(HMAC_SECRET, `plain text order ${randomUUID()}`);
    const response = await post('/webhooks/hmac', {
      ...delivery,
      headers: { ...delivery.headers, 'content-type': 'application/octet-stream' },
    });
    expect(response.status).toBe(200);
    expect(await processedIds()).toContain(delivery.headers['x-webhook-id']);
  });

  it('counts deliveries by outcome and times verification in GET /metrics', async () => {
    const scrape = async () => (await request(sample.url).get('/metrics').expect(200)).text;
    const labels = (outcome: string) => ({ scheme: 'standard-webhooks', endpoint: 'standard', outcome });
    const before = await scrape();
    const delivery = standardDelivery(STANDARD_SECRET);
    await post('/webhooks/standard', delivery).expect(200);
    await post('/webhooks/standard', delivery).expect(200);
    await post('/webhooks/standard', { ...delivery, body: `${delivery.body} ` }).expect(401);
    const after = await scrape();
    for (const outcome of ['accepted', 'duplicate', 'signature_mismatch']) {
      const name = 'webhook_deliveries_total';
      expect(metricValue(after, name, labels(outcome)) - metricValue(before, name, labels(outcome))).toBe(1);
    }
    const count = (text: string) =>
      metricValue(text, 'webhook_verification_seconds_count', { scheme: 'standard-webhooks' });
    expect(count(after) - count(before)).toBe(3);
    expect(after).not.toContain(STANDARD_SECRET);
  });

  it('reports the replay store and the queue healthy in GET /health, and the queue in GET /metrics', async () => {
    const response = await request(sample.url).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      info: {
        replayStore: { status: 'up' },
        webhookQueue: {
          status: 'up',
          durable: store === 'redis',
          paused: [],
          endpoints: { 'queued-standard': { paused: false } },
        },
      },
    });
    const metrics = (await request(sample.url).get('/metrics')).text;
    expect(metrics).toContain('webhook_queue_up 1');
    expect(metrics).toMatch(/^webhook_queue_paused\{endpoint="queued-standard"\} 0$/m);
    expect(metrics).toMatch(/^webhook_queue_jobs\{endpoint="queued-standard",state="waiting"\} \d+$/m);
  });

  describe('refuses with the documented status and processes nothing', () => {
    const refusals: [string, () => Delivery, number, string?][] = [
      [
        'a tampered body',
        () => ({
          ...standardDelivery(STANDARD_SECRET),
          body: '{"type":"invoice.paid","data":{"id":"evil"}}',
        }),
        401,
        'signature_mismatch',
      ],
      [
        'a tampered id header',
        () => {
          const delivery = standardDelivery(STANDARD_SECRET);
          return { ...delivery, headers: { ...delivery.headers, 'webhook-id': 'msg_forged' } };
        },
        401,
        'signature_mismatch',
      ],
      [
        'a tampered timestamp header',
        () => {
          const delivery = standardDelivery(STANDARD_SECRET);
          const ts = String(Number(delivery.headers['webhook-timestamp']) - 1);
          return { ...delivery, headers: { ...delivery.headers, 'webhook-timestamp': ts } };
        },
        401,
        'signature_mismatch',
      ],
      ['the wrong secret', () => standardDelivery(secretOf(9)), 401, 'signature_mismatch'],
      [
        'a stale timestamp',
        () => standardDelivery(STANDARD_SECRET, { at: new Date(Date.now() - 10 * 60_000) }),
        401,
        'timestamp_expired',
      ],
      [
        'a future timestamp',
        () => standardDelivery(STANDARD_SECRET, { at: new Date(Date.now() + 10 * 60_000) }),
        401,
        'timestamp_in_future',
      ],
      [
        'a missing signature',
        () => {
          const { 'webhook-signature': _omitted, ...headers } = standardDelivery(STANDARD_SECRET).headers;
          return { ...standardDelivery(STANDARD_SECRET), headers };
        },
        401,
        'missing_signature',
      ],
      [
        'a missing id header',
        () => {
          const { 'webhook-id': _omitted, ...headers } = standardDelivery(STANDARD_SECRET).headers;
          return { ...standardDelivery(STANDARD_SECRET), headers };
        },
        400,
        'missing_header',
      ],
      [
        'a malformed timestamp',
        () => {
          const delivery = standardDelivery(STANDARD_SECRET);
          return { ...delivery, headers: { ...delivery.headers, 'webhook-timestamp': 'yesterday' } };
        },
        400,
        'malformed_header',
      ],
      [
        'a malformed signature',
        () => {
          const delivery = standardDelivery(STANDARD_SECRET);
          return { ...delivery, headers: { ...delivery.headers, 'webhook-signature': 'v1,***' } };
        },
        400,
        'malformed_signature',
      ],
      [
        'a body over the limit',
        () => standardDelivery(STANDARD_SECRET, { body: JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) }) }),
        413,
      ],
    ];

    it.each(refusals)('%s', async (_name, make, status, reason) => {
      const before = (await processedIds()).length;
      const response = await post('/webhooks/standard', make());
      expect(response.status).toBe(status);
      if (reason) expect(response.body).toMatchObject({ error: reason });
      expect(JSON.stringify(response.body)).not.toContain(STANDARD_SECRET);
      expect((await processedIds()).length).toBe(before);
    });
  });

  describe('generic HMAC route', () => {
    it('processes a delivery once and refuses a tampered one', async () => {
      const delivery = hmacDelivery(HMAC_SECRET);
      expect((await post('/webhooks/hmac', delivery)).status).toBe(200);
      expect(await processedIds()).toContain(delivery.headers['x-webhook-id']);
      expect(
        (await post('/webhooks/hmac', { ...delivery, body: delivery.body.replace('"}', 'x"}') })).status,
      ).toBe(401);
      expect((await post('/webhooks/hmac', hmacDelivery('not-the-secret-0123456789'))).status).toBe(401);
    });

    it('refuses a replay under a fresh, unsigned id header', async () => {
      const delivery = hmacDelivery(HMAC_SECRET);
      expect((await post('/webhooks/hmac', delivery)).status).toBe(200);
      const replay = { ...delivery, headers: { ...delivery.headers, 'x-webhook-id': `d-${randomUUID()}` } };
      const answer = await post('/webhooks/hmac', replay);
      expect(answer.body).toEqual({ duplicate: true });
      expect(await processedIds()).not.toContain(replay.headers['x-webhook-id']);
    });
  });

  describe('per-tenant secrets', () => {
    it("refuses tenant A's delivery on tenant B's route, and an unknown tenant exactly alike", async () => {
      const delivery = standardDelivery(ACME);
      const wrongTenant = await post('/webhooks/tenants/globex', delivery);
      const unknownTenant = await post('/webhooks/tenants/initech', delivery);
      expect(wrongTenant.status).toBe(401);
      // Probing tenant names tells nothing: the unknown one is answered as a wrong signature.
      expect(unknownTenant.status).toBe(401);
      expect(unknownTenant.body).toEqual(wrongTenant.body);
      expect((await post('/webhooks/tenants/acme', delivery)).status).toBe(200);
    });

    it('accepts the old and the new secret during rotation', async () => {
      const fresh = standardDelivery(GLOBEX_NEW);
      const old = standardDelivery(GLOBEX_OLD);
      expect((await post('/webhooks/tenants/globex', fresh)).status).toBe(200);
      expect((await post('/webhooks/tenants/globex', old)).status).toBe(200);
      const ids = await processedIds();
      expect(ids).toContain(fresh.headers['webhook-id']);
      expect(ids).toContain(old.headers['webhook-id']);
    });

    it('keeps the same delivery id apart per tenant (namespaced replay keys)', async () => {
      const id = `msg_${randomUUID()}`;
      expect((await post('/webhooks/tenants/acme', standardDelivery(ACME, { id }))).status).toBe(200);
      const globex = await post('/webhooks/tenants/globex', standardDelivery(GLOBEX_NEW, { id }));
      expect(globex.body).toEqual({ received: id });
    });
  });
});
