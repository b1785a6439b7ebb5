import type { INestApplication } from '@nestjs/common';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { standardWebhooks } from '@verified-webhooks/core';
import { sign } from '@verified-webhooks/core/testing';
import { randomUUID } from 'node:crypto';
import { register, Registry } from 'prom-client';
import request from 'supertest';
import { VerifiedWebhook } from './verified-webhook.decorator.js';
import { WebhookMetrics } from './webhook-metrics.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WebhooksModule } from './webhooks.module.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 31).toString('base64');
const scheme = standardWebhooks();

@Controller('hooks')
class HooksController {
  @Post('billing')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'billing' })
  handle() {
    return 'ok';
  }
}

async function boot(options: WebhooksModuleOptions): Promise<INestApplication> {
  @Module({ imports: [WebhooksModule.forRoot(options)], controllers: [HooksController] })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { rawBody: true, logger: false });
  await app.init();
  return app;
}

async function deliverAll(app: INestApplication) {
  const signed = sign(scheme, {
    secret: SECRET,
    body: JSON.stringify({ n: randomUUID() }),
    id: randomUUID(),
  });
  const post = (body: string, headers = signed.headers) =>
    request(app.getHttpServer()).post('/hooks/billing').set(headers).send(body);
  await post(signed.body).expect(200);
  await post(signed.body).expect(200); // duplicate
  await post(`${signed.body} `).expect(401); // tampered
  const stale = sign(scheme, { secret: SECRET, body: '{}', timestamp: new Date(Date.now() - 3_600_000) });
  await post(stale.body, stale.headers).expect(401);
}

describe('WebhookMetrics', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    register.clear();
  });

  it('counts each outcome per scheme and endpoint and times verification in the given registry', async () => {
    const registry = new Registry();
    app = await boot({ secrets: SECRET, metrics: { registry } });
    await deliverAll(app);
    const deliveries = await registry.getSingleMetric('webhook_deliveries_total')!.get();
    const count = (outcome: string) =>
      deliveries.values.find((v) => v.labels.outcome === outcome && v.labels.endpoint === 'billing')?.value;
    expect(count('accepted')).toBe(1);
    expect(count('duplicate')).toBe(1);
    expect(count('signature_mismatch')).toBe(1);
    expect(count('timestamp_expired')).toBe(1);
    expect(deliveries.values.every((v) => v.labels.scheme === 'standard-webhooks')).toBe(true);
    const text = await registry.metrics();
    expect(text).toContain('webhook_verification_seconds_count{scheme="standard-webhooks"} 4');
    expect(text).not.toContain(SECRET);
    expect(app.get(WebhookMetrics).registry).toBe(registry);
  });

  it('uses prom-client’s default registry with `metrics: true`, and reuses it across apps', async () => {
    app = await boot({ secrets: SECRET, metrics: true });
    await app.close();
    app = await boot({ secrets: SECRET, metrics: true });
    await deliverAll(app);
    expect(await register.metrics()).toContain(
      'webhook_deliveries_total{scheme="standard-webhooks",endpoint="billing",outcome="accepted"} 1',
    );
  });

  it('registers nothing and stays a no-op when metrics are off', async () => {
    app = await boot({ secrets: SECRET });
    await deliverAll(app);
    expect(app.get(WebhookMetrics).enabled).toBe(false);
    expect(register.getSingleMetric('webhook_deliveries_total')).toBeUndefined();
  });
});
