import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Controller, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { WebhookQueue } from '@verified-webhooks/core';
import { InProcessQueue } from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import { OnWebhookEvent, VerifiedWebhook, WebhooksModule } from '@verified-webhooks/nestjs';
import request from 'supertest';
import { inject } from 'vitest';
import { secretOf, standardDelivery } from '../support/deliveries.js';

const SECRET = secretOf(81);
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
/** What the handler saw as its active span: the app's own spans inside it nest under ours. */
const activeInHandler = new Map<string, { traceId: string; spanId: string }>();

@Injectable()
class TracedHandlers {
  @OnWebhookEvent('traced', '*')
  record(event: VerifiedWebhookEvent) {
    const active = trace.getActiveSpan()?.spanContext();
    if (active) activeInHandler.set(event.id!, { traceId: active.traceId, spanId: active.spanId });
  }
}

@Controller('webhooks')
class TracedController {
  @Post('traced')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'traced', processing: 'queue' })
  receive() {}
}

async function boot(queue: WebhookQueue): Promise<INestApplication> {
  @Module({
    imports: [WebhooksModule.forRoot({ secrets: SECRET, queue })],
    controllers: [TracedController],
    providers: [TracedHandlers],
  })
  class TracedModule {}
  const app = await NestFactory.create(TracedModule, { rawBody: true, logger: false });
  await app.init();
  return app;
}

const named = (spans: ReadableSpan[], prefix: string) => spans.filter((span) => span.name.startsWith(prefix));

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

describe.each([
  ['the in-process queue', () => Promise.resolve(new InProcessQueue())],
  [
    'BullMQ on a real redis-server',
    () =>
      BullmqWebhookQueue.fromUrl(inject('redisUrl'), { prefix: `{vw-trace-${randomUUID().slice(0, 8)}}` }),
  ],
] as const)('one trace per delivery with %s', (_name, makeQueue: () => Promise<WebhookQueue>) => {
  it('spans request -> job -> handler: webhook.verify, webhook.enqueue, webhook.job, webhook.handler, each the parent of the next, without secret, signature or body', async () => {
    exporter.reset();
    const app = await boot(await makeQueue());
    const body = JSON.stringify({ type: 'order.created', card: 'tok_visa_4242', note: randomUUID() });
    const delivery = standardDelivery(SECRET, { body });
    const answer = await request(app.getHttpServer())
      .post('/webhooks/traced')
      .set(delivery.headers)
      .send(delivery.body);
    expect(answer.status).toBe(202);
    await vi.waitFor(() => expect(named(exporter.getFinishedSpans(), 'webhook.handler')).toHaveLength(1), {
      timeout: 10_000,
    });
    await app.close();
    await provider.forceFlush(); // exports are asynchronous

    const spans = exporter.getFinishedSpans();
    const [verify] = named(spans, 'webhook.verify');
    const [enqueue] = named(spans, 'webhook.enqueue');
    const [job] = named(spans, 'webhook.job');
    const [handler] = named(spans, 'webhook.handler');
    expect([verify, enqueue, job, handler].every(Boolean)).toBe(true);
    const traceId = verify!.spanContext().traceId;
    for (const span of [enqueue!, job!, handler!]) expect(span.spanContext().traceId).toBe(traceId);
    expect(verify!.parentSpanContext).toBeUndefined(); // no HTTP instrumentation here: the request's root
    expect(enqueue!.parentSpanContext?.spanId).toBe(verify!.spanContext().spanId);
    expect(job!.parentSpanContext?.spanId).toBe(enqueue!.spanContext().spanId);
    expect(handler!.parentSpanContext?.spanId).toBe(job!.spanContext().spanId);
    expect(activeInHandler.get(delivery.id)).toEqual({ traceId, spanId: handler!.spanContext().spanId });
    expect(verify!.attributes).toMatchObject({
      'webhook.endpoint': 'traced',
      'webhook.scheme': 'standard-webhooks',
      'webhook.outcome': 'verified',
      'webhook.delivery_id': delivery.id,
    });
    expect(job!.attributes).toMatchObject({ 'webhook.attempt': 1, 'webhook.outcome': 'completed' });
    expect(handler!.attributes).toMatchObject({ 'webhook.handler': 'TracedHandlers.record' });

    const everything = JSON.stringify(
      spans.map((span) => [span.name, span.attributes, span.events, span.status]),
    );
    const signature = delivery.headers['webhook-signature']!;
    for (const forbidden of [
      SECRET,
      SECRET.slice('whsec_'.length),
      signature,
      signature.split(',')[1]!,
      body,
      'tok_visa_4242',
    ]) {
      expect(everything).not.toContain(forbidden);
    }
    expect(everything).not.toMatch(/signature|secret|authorization/i);
  });
});

describe('a refused delivery', () => {
  it('ends its webhook.verify span as an error with the reason code, and queues nothing', async () => {
    exporter.reset();
    const app = await boot(new InProcessQueue());
    const delivery = standardDelivery(secretOf(82));
    const answer = await request(app.getHttpServer())
      .post('/webhooks/traced')
      .set(delivery.headers)
      .send(delivery.body);
    expect(answer.status).toBe(401);
    await app.close();
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['webhook.verify']);
    expect(spans[0]!.attributes['webhook.outcome']).toBe('signature_mismatch');
    expect(spans[0]!.status.code).toBe(2); // SpanStatusCode.ERROR
  });
});
