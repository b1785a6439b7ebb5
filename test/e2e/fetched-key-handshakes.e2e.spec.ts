import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import type { Request, Response } from 'express';
import request from 'supertest';
import { googlePubSub, microsoftGraph, secretsByEndpoint, sns } from '@verified-webhooks/core';
import type { WebhookExpressRequest } from '@verified-webhooks/core/express';
import { verifiedWebhook } from '@verified-webhooks/core/express';
import { signPubSubPush, signSnsMessage } from '@verified-webhooks/core/testing';
import { VerifiedWebhook, WebhookEvent, WebhooksModule } from '@verified-webhooks/nestjs';
import type { TestSigningKey } from '../support/test-key-server.js';
import { TestKeyServer } from '../support/test-key-server.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders';
const CERT_PATH = `/SimpleNotificationService-${'c0ffee00'.repeat(4)}.pem`;
const CERT_URL = `https://sns.us-east-1.amazonaws.com${CERT_PATH}`;
const CLIENT_STATE = 'graph-client-state-e2e-0123456789';
const EMAIL = 'push@test-project.iam.gserviceaccount.com';
const PUBLIC_BASE = 'https://hooks.example.com';

// The key server starts before the module is declared: the schemes take its fetcher.
const server = await TestKeyServer.start();
const key: TestSigningKey = server.signingKey();
server.route(CERT_PATH, { body: key.certificatePem });
server.route('/', { body: '<ConfirmSubscriptionResponse/>' });
server.route('/oauth2/v1/certs', { body: JSON.stringify({ kid1: key.certificatePem }) });
const keys = server.fetcher();
afterAll(() => server.close());

const handled: string[] = [];

@Controller('hooks')
class FetchedKeysController {
  @Post('sns')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: sns({ keys, confirmSubscriptions: true }), endpoint: 'sns' })
  sns(@WebhookEvent('type') type: string) {
    handled.push(`sns:${type}`);
    return { ok: true };
  }

  @Post('graph')
  @HttpCode(202)
  @VerifiedWebhook({ scheme: microsoftGraph({ keys }), endpoint: 'graph' })
  graph() {
    handled.push('graph');
  }

  @Post('pubsub')
  @HttpCode(204)
  @VerifiedWebhook({ scheme: googlePubSub({ keys }), endpoint: 'pubsub' })
  pubsub(@WebhookEvent('id') id: string) {
    handled.push(`pubsub:${id}`);
  }
}

@Module({
  imports: [
    WebhooksModule.forRoot({
      publicBaseUrl: PUBLIC_BASE,
      secrets: secretsByEndpoint({ sns: TOPIC, graph: CLIENT_STATE, pubsub: EMAIL }),
    }),
  ],
  controllers: [FetchedKeysController],
})
class FetchedKeysModule {}

const confirmation = () =>
  signSnsMessage({
    privateKey: key.privateKey,
    certUrl: CERT_URL,
    topicArn: TOPIC,
    message: 'confirm',
    type: 'SubscriptionConfirmation',
  });
const notification = () =>
  signSnsMessage({ privateKey: key.privateKey, certUrl: CERT_URL, topicArn: TOPIC, message: '{"order":1}' });
const graphBody = JSON.stringify({
  value: [{ subscriptionId: 's1', changeType: 'created', clientState: CLIENT_STATE, resource: 'r' }],
});
const VALIDATION = 'Validation: Testing client application reachability for subscription Request-Id: 1';

describe.each(['express', 'fastify'] as const)('fetched-key senders through Nest (%s)', (platform) => {
  let app: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;

  beforeAll(async () => {
    app =
      platform === 'express'
        ? await NestFactory.create(FetchedKeysModule, { rawBody: true, logger: false })
        : await NestFactory.create(FetchedKeysModule, new FastifyAdapter(), { rawBody: true, logger: false });
    await app.init();
    if (platform === 'fastify')
      await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
    http = app.getHttpServer();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    handled.length = 0;
    server.reset();
  });

  it('SNS SubscriptionConfirmation: verified, confirmed through the allow-list, answered 200; the handler never runs', async () => {
    const { headers, body } = confirmation();
    const answer = await request(http).post('/hooks/sns').set(headers).send(body);
    expect(answer.status).toBe(200);
    expect(handled).toEqual([]);
    expect(server.requests.at(-1)).toMatch(/^sns\.us-east-1\.amazonaws\.com\/\?Action=ConfirmSubscription&/);
  });

  it('SNS Notification reaches the handler; a forged one (another topic) is 401 with no request out', async () => {
    const { headers, body } = notification();
    expect((await request(http).post('/hooks/sns').set(headers).send(body)).status).toBe(200);
    expect(handled).toEqual(['sns:Notification']);
    server.reset();
    const forged = signSnsMessage({
      privateKey: key.privateKey,
      certUrl: CERT_URL,
      topicArn: `${TOPIC}-x`,
      message: 'x',
    });
    expect((await request(http).post('/hooks/sns').set(forged.headers).send(forged.body)).status).toBe(401);
    expect(server.requests).toEqual([]);
  });

  it('Graph ?validationToken is answered 200 text/plain with the token; notifications reach the handler', async () => {
    const answer = await request(http)
      .post(`/hooks/graph?validationToken=${encodeURIComponent(VALIDATION)}`)
      .set('content-type', 'text/plain')
      .send('');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    expect(answer.text).toBe(VALIDATION);
    expect(handled).toEqual([]);
    expect(
      (await request(http).post('/hooks/graph').set('content-type', 'application/json').send(graphBody))
        .status,
    ).toBe(202);
    const forged = graphBody.replace(CLIENT_STATE, 'guessed-client-state');
    expect(
      (await request(http).post('/hooks/graph').set('content-type', 'application/json').send(forged)).status,
    ).toBe(401);
    expect(handled).toEqual(['graph']);
  });

  it('Pub/Sub push: the token for the public URL is verified; the envelope messageId is the event id', async () => {
    const { headers, body } = signPubSubPush({
      privateKey: key.privateKey,
      kid: 'kid1',
      audience: `${PUBLIC_BASE}/hooks/pubsub`,
      email: EMAIL,
      data: 'x',
      messageId: '77',
    });
    expect((await request(http).post('/hooks/pubsub').set(headers).send(body)).status).toBe(204);
    expect(handled).toEqual(['pubsub:77']);
  });
});

describe('fetched-key senders through the Express middleware', () => {
  let http: Server;
  let url: string;
  beforeAll(async () => {
    const app = express();
    const ok = (req: Request, res: Response) => {
      handled.push(`express:${(req as WebhookExpressRequest).webhook!.type}`);
      res.sendStatus(204);
    };
    app.post(
      '/sns',
      verifiedWebhook({ scheme: sns({ keys, confirmSubscriptions: true }), secrets: TOPIC }),
      ok,
    );
    app.post('/graph', verifiedWebhook({ scheme: microsoftGraph({ keys }), secrets: CLIENT_STATE }), ok);
    http = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => http.once('listening', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));
  beforeEach(() => {
    handled.length = 0;
    server.reset();
  });

  it('answers the SNS SubscriptionConfirmation and passes a Notification on', async () => {
    const confirm = confirmation();
    expect((await request(url).post('/sns').set(confirm.headers).send(confirm.body)).status).toBe(200);
    expect(server.requests.at(-1)).toMatch(/Action=ConfirmSubscription/);
    const { headers, body } = notification();
    expect((await request(url).post('/sns').set(headers).send(body)).status).toBe(204);
    expect(handled).toEqual(['express:Notification']);
  });

  it('answers the Graph validationToken', async () => {
    const answer = await request(url)
      .post(`/graph?validationToken=${encodeURIComponent(VALIDATION)}`)
      .send('');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(VALIDATION);
    expect(handled).toEqual([]);
  });
});
