import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ArgumentsHost, INestApplication } from '@nestjs/common';
import { Catch, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { APP_FILTER, BaseExceptionFilter, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import request from 'supertest';
import { secretsByEndpoint, xero } from '@verified-webhooks/core';
import { verifiedWebhook } from '@verified-webhooks/core/express';
import { VerifiedWebhook, WebhooksModule } from '@verified-webhooks/nestjs';

// SECONDARY sender: Xero's documented formula (developer.xero.com/documentation/webhooks/
// configuring-your-server): x-xero-signature = base64 HMAC-SHA256(webhook key, raw body).
const KEY = 'xero-webhook-key-0123456789abcdefghijklmnopqrstuv';
const xeroSigned = (key: string, body: string) => ({
  'content-type': 'application/json',
  'x-xero-signature': createHmac('sha256', key).update(body).digest('base64'),
});
const probe = (entropy: string) =>
  JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy });
const BATCH = JSON.stringify({
  events: [{ resourceId: 'r1', eventCategory: 'INVOICE', eventType: 'UPDATE', tenantId: 't1' }],
  firstEventSequence: 9,
  lastEventSequence: 9,
  entropy: 'BATCHENTROPY',
});

const handled: string[] = [];
const reported: unknown[] = [];
@Catch()
class ReportEverythingFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    reported.push(exception);
    super.catch(exception, host);
  }
}

@Controller('hooks')
class XeroController {
  @Post('xero')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: xero(), endpoint: 'xero' })
  xero(): void {
    handled.push('xero');
  }
}

@Module({
  imports: [WebhooksModule.forRoot({ secrets: secretsByEndpoint({ xero: KEY }) })],
  controllers: [XeroController],
  providers: [{ provide: APP_FILTER, useClass: ReportEverythingFilter }],
})
class XeroModule {}

/** What Xero's intent-to-receive check requires of every answer: the status, and no body at all. */
async function expectIntentToReceive(server: Parameters<typeof request>[0], path: string) {
  const post = (headers: Record<string, string>, body: string) =>
    request(server).post(path).set(headers).send(body);
  const correct = await post(xeroSigned(KEY, probe('CORRECT1')), probe('CORRECT1'));
  expect(correct.status).toBe(200);
  expect(correct.text).toBe('');
  for (const [headers, body] of [
    [xeroSigned('another-key-0123456789abcdefghij', probe('WRONG1')), probe('WRONG1')],
    [{ 'content-type': 'application/json', 'x-xero-signature': 'not base64!' }, probe('WRONG2')],
    [{ 'content-type': 'application/json' }, probe('WRONG3')],
  ] as const) {
    const answer = await post(headers, body);
    expect(answer.status).toBe(401);
    expect(answer.text).toBe('');
  }
  expect(handled).toEqual([]);
  // A real batch runs the handler once; its duplicate is answered 200 without a body.
  expect((await post(xeroSigned(KEY, BATCH), BATCH)).status).toBe(200);
  const duplicate = await post(xeroSigned(KEY, BATCH), BATCH);
  expect(duplicate.status).toBe(200);
  expect(duplicate.text).toBe('');
  expect(handled).toEqual(['xero']);
}

describe.each(['express', 'fastify'] as const)('Xero intent to receive through Nest (%s)', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app =
      platform === 'express'
        ? await NestFactory.create(XeroModule, { rawBody: true, logger: false })
        : await NestFactory.create(XeroModule, new FastifyAdapter(), { rawBody: true, logger: false });
    await app.init();
    if (platform === 'fastify')
      await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    handled.length = 0;
    reported.length = 0;
  });

  it('200 with no body for a correctly signed probe, 401 with no body for every incorrectly signed one', async () => {
    await expectIntentToReceive(app.getHttpServer(), '/hooks/xero');
    // Bare refusals are written by the guard, not thrown: no exception reaches the app's filters.
    expect(reported).toEqual([]);
  });
});

describe('Xero intent to receive through the Express middleware', () => {
  let server: Server;
  beforeAll(async () => {
    const app = express();
    app.post('/xero', verifiedWebhook({ scheme: 'xero', secrets: KEY }), (_req, res) => {
      handled.push('xero');
      res.status(200).end();
    });
    server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => void (handled.length = 0));

  it('200 with no body for a correctly signed probe, 401 with no body for every incorrectly signed one', async () => {
    expect((server.address() as AddressInfo).port).toBeGreaterThan(0);
    await expectIntentToReceive(server, '/xero');
  });
});
