import type { INestApplication } from '@nestjs/common';
import { Controller, HttpCode, Logger, Module, Param, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, RouteConfig } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { secretOf, standardDelivery } from '../../../test/support/deliveries.js';
import { VerifiedWebhook } from './verified-webhook.decorator.js';
import { WebhookEvent } from './webhook-event.decorator.js';
import { WebhooksModule } from './webhooks.module.js';

/**
 * One body policy on every platform (docs/architecture.md, "Security rules"): a body sent with a
 * Content-Encoding is refused 415 unsupported_content_encoding by our own refusal, whatever the
 * platform's parsers would have made of it first, and never reaches the handler.
 */
const SECRET = secretOf(61);
const BODY_LIMIT = 4096;
const handled: string[] = [];

@Controller('hooks')
class HooksController {
  @Post()
  @HttpCode(200)
  @VerifiedWebhook('standard-webhooks')
  receive(@WebhookEvent('id') id: string) {
    handled.push(id);
    return { id };
  }

  @Post('tenants/:tenant')
  @HttpCode(200)
  @RouteConfig({ label: 'kept' })
  @VerifiedWebhook('standard-webhooks')
  tenant(
    @Param('tenant') tenant: string,
    @Req() request: { routeOptions?: { config?: { label?: string } } },
  ) {
    return { tenant, label: request.routeOptions?.config?.label };
  }
}

@Controller('class-level')
@VerifiedWebhook('standard-webhooks')
class ClassLevelController {
  @Post()
  @HttpCode(200)
  receive(@WebhookEvent('id') id: string) {
    handled.push(id);
    return { id };
  }
}

/** Not a webhook route: the platform parses its bodies as it always did. */
@Controller('plain')
class PlainController {
  @Post()
  @HttpCode(200)
  receive(@Req() request: { body?: unknown }) {
    return { body: request.body };
  }
}

/** One route method inherited by a webhook controller and by one that is not. */
class SharedRoutes {
  @Post()
  @HttpCode(200)
  receive(@Req() request: { body?: unknown }) {
    return { body: request.body };
  }
}
@Controller('shared-hook')
@VerifiedWebhook('standard-webhooks')
class SharedWebhookController extends SharedRoutes {}
@Controller('shared-plain')
class SharedPlainController extends SharedRoutes {}

@Module({
  imports: [WebhooksModule.forRoot({ secrets: SECRET, bodyLimit: BODY_LIMIT })],
  controllers: [
    HooksController,
    ClassLevelController,
    PlainController,
    SharedWebhookController,
    SharedPlainController,
  ],
})
class TestModule {}

type Setup = 'express' | 'express, bodyParser: false' | 'fastify' | "fastify, '*' buffer parser";
const SETUPS: Setup[] = ['express', 'express, bodyParser: false', 'fastify', "fastify, '*' buffer parser"];

async function boot(setup: Setup): Promise<{ app: INestApplication; url: string }> {
  const options = { rawBody: true, logger: false as const };
  let app: INestApplication;
  if (setup.startsWith('express')) {
    app = await NestFactory.create(TestModule, { ...options, bodyParser: setup === 'express' });
  } else {
    const adapter = new FastifyAdapter();
    if (setup !== 'fastify') {
      adapter.getInstance().addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
        (req as { rawBody?: Buffer }).rawBody = body as Buffer;
        done(null, body);
      });
    }
    app = await NestFactory.create(TestModule, adapter, options);
  }
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

const ENCODINGS: [string, (body: Buffer) => Buffer][] = [
  ['gzip', (body) => gzipSync(body)],
  ['deflate', (body) => deflateSync(body)],
  ['br', (body) => brotliCompressSync(body)],
  ['GZIP', (body) => gzipSync(body)], // a header's case is not its meaning
  ['compress', (body) => body], // no platform decodes it
  ['x-unknown, gzip', (body) => gzipSync(body)],
];

describe.each(SETUPS)('Content-Encoding on a webhook route (%s)', (setup) => {
  let app: INestApplication;
  let url: string;
  beforeAll(async () => ({ app, url } = await boot(setup)));
  afterAll(() => app.close());
  afterEach(() => vi.restoreAllMocks());

  const post = (path: string, headers: Record<string, string>, body: Buffer | string) =>
    fetch(`${url}${path}`, { method: 'POST', headers, body });
  const refusedAsOurs = async (answer: Response) => {
    expect(answer.status).toBe(415);
    expect(await answer.json()).toEqual({
      statusCode: 415,
      error: 'unsupported_content_encoding',
      message: 'The body is sent with a Content-Encoding; webhook deliveries are verified uncompressed.',
    });
  };

  it.each(
    ENCODINGS.flatMap(([encoding, encode]) =>
      ['application/json', 'text/plain', 'application/octet-stream'].map(
        (type) => [encoding, type, encode] as const,
      ),
    ),
  )(
    'refuses %s (%s) 415 unsupported_content_encoding, signed over the decoded bytes',
    async (encoding, type, encode) => {
      const signed = standardDelivery(SECRET);
      const answer = await post(
        '/hooks',
        { ...signed.headers, 'content-type': type, 'content-encoding': encoding },
        encode(Buffer.from(signed.body)),
      );
      await refusedAsOurs(answer);
      expect(handled).not.toContain(signed.id);
    },
  );

  it('refuses a gzip body signed over its compressed bytes the same way: neither is guessed', async () => {
    const id = `msg_${randomUUID()}`;
    const compressed = gzipSync(JSON.stringify({ type: 'invoice.paid', data: { id } }));
    // Signed over the gzip bytes (as latin1, which round-trips every byte): still refused, not a 401.
    const signed = standardDelivery(SECRET, { id, body: compressed.toString('latin1') });
    const answer = await post(
      '/hooks',
      { ...signed.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      compressed,
    );
    await refusedAsOurs(answer);
  });

  it('refuses a gzip bomb (small on the wire, far above the decoded-size limit) 415 before decoding it', async () => {
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20)); // 2 MiB in about 2 KB
    expect(bomb.length).toBeLessThan(BODY_LIMIT);
    const signed = standardDelivery(SECRET);
    for (const type of ['application/json', 'application/octet-stream']) {
      const answer = await post(
        '/hooks',
        { ...signed.headers, 'content-type': type, 'content-encoding': 'gzip' },
        bomb,
      );
      await refusedAsOurs(answer);
    }
  });

  it('refuses on a class-level route and on a route with a parameter and its own @RouteConfig()', async () => {
    const signed = standardDelivery(SECRET);
    const headers = { ...signed.headers, 'content-encoding': 'gzip' };
    await refusedAsOurs(await post('/class-level', headers, gzipSync(signed.body)));
    await refusedAsOurs(await post('/hooks/tenants/acme', headers, gzipSync(signed.body)));
    expect(handled).not.toContain(signed.id);
  });

  it('logs the refusal as the guard does (debug, with its endpoint and reason), never at ERROR', async () => {
    const debug = vi.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const signed = standardDelivery(SECRET);
    await post('/hooks', { ...signed.headers, 'content-encoding': 'br' }, brotliCompressSync(signed.body));
    expect(debug).toHaveBeenCalledWith('standard-webhooks: refused (unsupported_content_encoding)');
    expect(error).not.toHaveBeenCalled();
  });

  it('verifies an uncompressed delivery (identity) on the same routes, the app route config intact', async () => {
    const signed = standardDelivery(SECRET);
    const answer = await post('/hooks', { ...signed.headers, 'content-encoding': 'identity' }, signed.body);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ id: signed.id });
    const tenant = standardDelivery(SECRET);
    const routed = await post('/hooks/tenants/acme', tenant.headers, tenant.body);
    expect(routed.status).toBe(200);
    const label = setup.startsWith('fastify') ? 'kept' : undefined;
    expect(await routed.json()).toEqual({ tenant: 'acme', ...(label && { label }) });
  });
});

describe('Content-Encoding on routes that are not webhooks', () => {
  const json = JSON.stringify({ hello: 'world' });
  const send = (url: string, path: string, encoded: boolean) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(encoded && { 'content-encoding': 'gzip' }) },
      body: encoded ? gzipSync(json) : json,
    });

  it.each(['/plain', '/shared-plain'])(
    "leaves Fastify's own parsing alone (%s): its JSON parser refuses the gzip bytes, as before",
    async (path) => {
      const { app, url } = await boot('fastify');
      try {
        expect(await (await send(url, path, false)).json()).toEqual({ body: { hello: 'world' } });
        const compressed = await send(url, path, true);
        expect(compressed.status).toBe(400);
        expect(await compressed.json()).not.toHaveProperty('error', 'unsupported_content_encoding');
      } finally {
        await app.close();
      }
    },
  );

  it.each(['/plain', '/shared-plain'])(
    "leaves Express's body-parser alone (%s): it inflates the gzip body, as before",
    async (path) => {
      const { app, url } = await boot('express');
      try {
        const compressed = await send(url, path, true);
        expect(compressed.status).toBe(200);
        expect(await compressed.json()).toEqual({ body: { hello: 'world' } });
      } finally {
        await app.close();
      }
    },
  );
});

describe('Content-Encoding in a TestingModule (the adapter is given after the providers exist)', () => {
  it.each(['express', 'fastify'])('refuses on %s as in the app', async (platform) => {
    const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
    const app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { rawBody: true, logger: false })
        : moduleRef.createNestApplication({ rawBody: true, logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const signed = standardDelivery(SECRET);
      const answer = await fetch(`${url}/hooks`, {
        method: 'POST',
        headers: { ...signed.headers, 'content-encoding': 'x-unknown' },
        body: gzipSync(signed.body),
      });
      expect(answer.status).toBe(415);
      expect(await answer.json()).toMatchObject({ error: 'unsupported_content_encoding' });
    } finally {
      await app.close();
    }
  });
});
