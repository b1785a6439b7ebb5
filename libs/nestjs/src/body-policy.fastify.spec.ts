import { Controller, HttpCode, Logger, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { github, standardWebhooks } from '@verified-webhooks/core';
import { sign } from '@verified-webhooks/core/testing';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { VerifiedWebhook } from './verified-webhook.decorator.js';
import { WebhookEvent } from './webhook-event.decorator.js';
import { WebhooksModule } from './webhooks.module.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 51).toString('base64');
const GITHUB = 'github-webhook-secret-0123456789abcdef';
const scheme = standardWebhooks();
const signed = (body: string) => sign(scheme, { secret: SECRET, body, id: `msg_${randomUUID()}` });

@Controller('hooks')
class HooksController {
  @Post()
  @HttpCode(200)
  @VerifiedWebhook('standard-webhooks')
  receive(@WebhookEvent('payload') payload: unknown) {
    const merged = Object.assign({}, payload);
    return { payload, inherits: Object.getPrototypeOf(merged) === Object.prototype };
  }

  @Post('github')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'github', secrets: GITHUB })
  github(@WebhookEvent('payload') payload: unknown) {
    return { payload };
  }
}

/** The setup the README documents: rawBody, prototype-poisoning keys removed, a '*' buffer parser. */
async function boot(adapter = documentedAdapter()): Promise<NestFastifyApplication> {
  @Module({ imports: [WebhooksModule.forRoot({ secrets: SECRET })], controllers: [HooksController] })
  class TestModule {}
  const app = await NestFactory.create<NestFastifyApplication>(TestModule, adapter, {
    rawBody: true,
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

function documentedAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({ onProtoPoisoning: 'remove', onConstructorPoisoning: 'remove' });
  adapter.getInstance().addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    (req as { rawBody?: Buffer }).rawBody = body as Buffer;
    done(null, body);
  });
  return adapter;
}

describe('body handling on Fastify', () => {
  let app: NestFastifyApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    vi.restoreAllMocks();
  });
  const post = (delivery: { headers: Record<string, string> }, headers: object, payload: string | Buffer) =>
    app!.inject({ method: 'POST', url: '/hooks', headers: { ...delivery.headers, ...headers }, payload });

  it('refuses a compressed body 415 unsupported_content_encoding, not a signature_mismatch', async () => {
    app = await boot();
    const delivery = signed(JSON.stringify({ type: 'ping' }));
    const answer = await post(
      delivery,
      { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' },
      gzipSync(delivery.body),
    );
    expect(answer.statusCode).toBe(415);
    expect(answer.json()).toMatchObject({ error: 'unsupported_content_encoding' });
  });

  it('verifies an authentic JSON body with __proto__ and constructor.prototype keys, and hands it over without them', async () => {
    app = await boot();
    const body =
      '{"type":"ping","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"n":1}';
    const answer = await post(signed(body), { 'content-type': 'application/json' }, body);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ payload: { type: 'ping', n: 1 }, inherits: true });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("parses GitHub's form mode (payload=<JSON>) as the JSON inside, from the bytes Fastify kept", async () => {
    app = await boot();
    const json = { action: 'opened', issue: { number: 7 } };
    const body = `payload=${encodeURIComponent(JSON.stringify(json))}`;
    const delivery = sign(github(), { secret: GITHUB, body, type: 'issues' });
    const answer = await app.inject({
      method: 'POST',
      url: '/hooks/github',
      headers: { ...delivery.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ payload: json });
  });

  it("verifies a text/plain delivery parsed by Fastify's built-in text parser, never a 500 or an ERROR log", async () => {
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    app = await boot(new FastifyAdapter());
    const delivery = signed('hello, plain text');
    const answer = await post(delivery, { 'content-type': 'text/plain' }, delivery.body);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ payload: 'hello, plain text' });
    const forged = await post(delivery, { 'content-type': 'text/plain' }, 'tampered');
    expect(forged.statusCode).toBe(401);
    expect(error).not.toHaveBeenCalled();
  });
});
