import type {
  CallHandler,
  CanActivate,
  ExecutionContext,
  INestApplication,
  NestInterceptor,
} from '@nestjs/common';
import { Controller, Injectable, Logger, Module, Post, Res, UseGuards } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import type { ReplayStore, SecretContext, SecretResolver } from '@verified-webhooks/core';
import {
  MemoryReplayStore,
  RedisReplayStore,
  secretsByEndpoint,
  secretsByTenant,
  staticSecret,
  standardWebhooks,
} from '@verified-webhooks/core';
import { sign } from '@verified-webhooks/core/testing';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { of, throwError, timeout } from 'rxjs';
import request from 'supertest';
import { RedisServer } from '../../../test/support/redis-server.js';
import { isWebhookRoute } from './is-webhook-route.js';
import { VerifiedWebhook } from './verified-webhook.decorator.js';
import { WebhookEvent } from './webhook-event.decorator.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WebhooksModule } from './webhooks.module.js';
import { InjectReplayStore } from './webhooks.tokens.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 11).toString('base64');
const scheme = standardWebhooks();
const delivery = (secret = SECRET, body = JSON.stringify({ type: 'ping', n: randomUUID() })) =>
  sign(scheme, { secret, body, id: `msg_${randomUUID()}` });

const handled: string[] = [];

@Controller('hooks')
class HooksController {
  @Post('standard')
  @VerifiedWebhook('standard-webhooks')
  standard(@WebhookEvent('id') id: string) {
    handled.push(id);
    return { ok: id };
  }
}

@Controller('class-level')
@VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'class-level' })
class ClassLevelController {
  @Post()
  handle(@WebhookEvent('payload') payload: { n: string }) {
    return { n: payload.n };
  }
}

/** Stands in for an app's global auth guard: refuses everything that is not a webhook route. */
@Injectable()
class DenyAllButWebhooksGuard implements CanActivate {
  canActivate(context: ExecutionContext) {
    return isWebhookRoute(context);
  }
}

@Controller('private')
class PrivateController {
  @Post()
  secret() {
    return 'never';
  }
}

@Injectable()
class RefuseGuard implements CanActivate {
  canActivate() {
    return false;
  }
}

@Controller('refused-later')
class RefusedLaterController {
  @Post()
  // Decorators apply bottom-up: ours is listed first, so it runs first and RefuseGuard after it.
  @UseGuards(RefuseGuard)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'refused-later' })
  handle() {
    return 'never';
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** A handler that holds the first delivery until the test lets it go; the sender gives up meanwhile. */
const held = { reached: deferred<void>(), closed: deferred<void>(), gate: deferred<void>(), first: true };
@Controller('held')
class HeldController {
  @Post()
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'held' })
  async handle(@WebhookEvent('id') id: string, @Res({ passthrough: true }) response: ServerResponse) {
    if (held.first) {
      held.first = false;
      response.once('close', () => held.closed.resolve());
      held.reached.resolve();
      await held.gate.promise;
    }
    handled.push(id);
    return { ok: id };
  }
}

/** Decorated twice, on the class and the method: the guard and interceptor are listed twice. */
@Controller('twice')
@VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'class-default' })
class DecoratedTwiceController {
  @Post()
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'method-override' })
  handle(@WebhookEvent('id') id: string, @WebhookEvent('endpoint') endpoint: string) {
    handled.push(id);
    return { ok: id, endpoint };
  }
}

/** A route that writes its own response (`@Res()` without passthrough): Nest sends nothing for it. */
@Controller('answers-itself')
class AnswersItselfController {
  @Post()
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'answers-itself' })
  handle(
    @WebhookEvent('id') id: string,
    @Res() response: { status(code: number): { json(body: unknown): void } },
  ) {
    handled.push(id);
    response.status(204).json({});
  }
}

/** An app interceptor that answers from a cache without running the route (ours included). */
@Injectable()
class AnswerEarlyInterceptor implements NestInterceptor {
  intercept() {
    return of({ cached: true });
  }
}

/** An app interceptor that gives up on slow answers, as rxjs timeout() does. */
@Injectable()
class AnswerTimeoutInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle().pipe(timeout(20));
  }
}

@Controller('slow')
class SlowController {
  @Post()
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'slow' })
  async handle(@WebhookEvent('id') id: string) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    handled.push(id);
    return { ok: id };
  }
}

/** Fails the first call in the way named by the route, succeeds afterwards (the sender's retry). */
const failures = new Set<string>();
@Controller('failing')
class FailingController {
  private once(kind: string): boolean {
    if (failures.has(kind)) return false;
    failures.add(kind);
    return true;
  }

  @Post('sync')
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'failing' })
  sync() {
    if (this.once('sync')) throw new Error('sync failure');
    return { ok: 'sync' };
  }

  @Post('async')
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'failing' })
  async async() {
    await Promise.resolve();
    if (this.once('async')) throw new Error('async failure');
    return { ok: 'async' };
  }

  @Post('observable')
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'failing' })
  observable() {
    return this.once('observable')
      ? throwError(() => new Error('observable failure'))
      : of({ ok: 'observable' });
  }
}

/** An app interceptor that puts a request id into AsyncLocalStorage, as nestjs-cls does. */
const requestContext = new AsyncLocalStorage<string>();
@Injectable()
class RequestContextInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return requestContext.run('request-42', () => next.handle());
  }
}

@Controller('context')
class ContextController {
  @Post()
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'context' })
  handle() {
    return { context: requestContext.getStore() ?? null };
  }
}

async function boot(
  options: WebhooksModuleOptions,
  nest: { rawBody?: boolean; controllers?: unknown[]; providers?: unknown[] } = {},
): Promise<INestApplication> {
  @Module({
    imports: [WebhooksModule.forRoot(options)],
    controllers: (nest.controllers ?? [HooksController]) as never[],
    providers: (nest.providers ?? []) as never[],
  })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { rawBody: nest.rawBody ?? true, logger: false });
  await app.init();
  return app;
}

describe('WebhooksModule', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    vi.restoreAllMocks();
  });

  it('verifies with a resolver class built by dependency injection (forRootAsync)', async () => {
    @Injectable()
    class TenantDirectory {
      secretFor(endpoint: string) {
        return endpoint === 'standard-webhooks' ? SECRET : undefined;
      }
    }
    @Injectable()
    class DirectoryResolver implements SecretResolver {
      constructor(private readonly directory: TenantDirectory) {}
      resolve(context: SecretContext) {
        return this.directory.secretFor(context.endpoint);
      }
    }
    @Module({ providers: [TenantDirectory], exports: [TenantDirectory] })
    class DirectoryModule {}
    @Module({
      imports: [
        WebhooksModule.forRootAsync({
          imports: [DirectoryModule],
          useFactory: () => ({ secretResolver: DirectoryResolver }),
        }),
      ],
      controllers: [HooksController],
    })
    class AsyncModule {}
    app = await NestFactory.create(AsyncModule, { rawBody: true, logger: false });
    await app.init();
    const { headers, body } = delivery();
    const answer = await request(app.getHttpServer()).post('/hooks/standard').set(headers).send(body);
    expect(answer.body).toEqual({ ok: headers['webhook-id'] });
    expect(handled).toContain(headers['webhook-id']);
  });

  it('refuses to start on an unusable secret, naming where it is used but not the secret', async () => {
    const broken = 'whsec_this is not base64';
    const error = await boot({ secrets: broken }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/endpoint standard-webhooks is unusable/);
    expect(error?.message).not.toContain(broken);
  });

  const bootError = (options: WebhooksModuleOptions, controllers?: unknown[]) =>
    boot(options, { controllers }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
  const UNSET = process.env.VW_NEVER_SET_IN_TESTS;

  it('refuses to start on an undefined secret in secretsByEndpoint (an unset env var), naming the endpoint', async () => {
    const error = await bootError({ secrets: secretsByEndpoint({ 'standard-webhooks': UNSET! }) });
    expect(error?.message).toMatch(
      /secret for endpoint standard-webhooks on endpoint standard-webhooks is undefined/,
    );
  });

  it('refuses to start on an undefined secret in staticSecret, in a rotation list, and as the secrets option', async () => {
    expect((await bootError({ secrets: staticSecret(UNSET!) }))?.message).toMatch(
      /static secret on endpoint standard-webhooks is undefined/,
    );
    expect((await bootError({ secrets: staticSecret(SECRET, UNSET!) }))?.message).toMatch(/is undefined/);
    expect((await bootError({ secrets: UNSET! }))?.message).toMatch(
      /the secrets option on endpoint standard-webhooks is undefined/,
    );
  });

  it('refuses to start on an undefined tenant secret in secretsByTenant, naming the tenant', async () => {
    const error = await bootError({ secrets: secretsByTenant({ acme: SECRET, globex: UNSET! }) });
    expect(error?.message).toMatch(/tenant globex on endpoint standard-webhooks is undefined/);
  });

  it("refuses to start on a route's own secrets given as undefined, instead of falling back to the module's", async () => {
    @Controller('own-secret')
    class OwnSecretController {
      @Post()
      @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'own', secrets: UNSET! })
      handle() {
        return 'never';
      }
    }
    const error = await bootError({ secrets: SECRET }, [OwnSecretController]);
    expect(error?.message).toMatch(/the secrets option on endpoint own is undefined/);
  });

  it('refuses to start on a replay window that would switch replay protection off (NaN from an unset env var)', async () => {
    await expect(boot({ secrets: SECRET, replayWindowMs: Number(undefined) })).rejects.toThrow(
      /replayWindowMs must be a number > 0/,
    );
  });

  it('warns at boot about a short secret', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    app = await boot({ secrets: 'short-hmac-key' }, { controllers: [], providers: [] });
    await app.close();
    app = await boot({ secrets: 'whsec_' + Buffer.alloc(24, 1).toString('base64') });
    expect(warn).not.toHaveBeenCalledWith(expect.stringMatching(/only \d+ bytes/));
  });

  it('applies @VerifiedWebhook() on a controller class', async () => {
    app = await boot({ secrets: SECRET }, { controllers: [ClassLevelController] });
    const body = JSON.stringify({ n: 'class' });
    const signed = sign(scheme, { secret: SECRET, body });
    const answer = await request(app.getHttpServer()).post('/class-level').set(signed.headers).send(body);
    expect(answer.body).toEqual({ n: 'class' });
    const unsigned = await request(app.getHttpServer()).post('/class-level').send({ n: 'x' });
    expect(unsigned.status).toBe(401);
  });

  it('lets a global auth guard skip webhook routes with isWebhookRoute()', async () => {
    app = await boot(
      { secrets: SECRET },
      {
        controllers: [HooksController, PrivateController],
        providers: [{ provide: APP_GUARD, useClass: DenyAllButWebhooksGuard }],
      },
    );
    const { headers, body } = delivery();
    expect((await request(app.getHttpServer()).post('/hooks/standard').set(headers).send(body)).status).toBe(
      201,
    );
    expect((await request(app.getHttpServer()).post('/private').send({})).status).toBe(403);
  });

  it('reads the unconsumed stream when the app keeps no raw body (content type no parser reads)', async () => {
    app = await boot({ secrets: SECRET }, { rawBody: false });
    const { headers, body } = delivery();
    const answer = await request(app.getHttpServer())
      .post('/hooks/standard')
      .set({ ...headers, 'content-type': 'application/octet-stream' })
      .send(body);
    expect(answer.status).toBe(201);
  });

  it('answers 413 when the unconsumed stream is over the limit', async () => {
    app = await boot({ secrets: SECRET, bodyLimit: 64 }, { rawBody: false });
    const { headers, body } = delivery(SECRET, JSON.stringify({ pad: 'x'.repeat(200) }));
    const answer = await request(app.getHttpServer())
      .post('/hooks/standard')
      .set({ ...headers, 'content-type': 'application/octet-stream' })
      .send(body);
    expect(answer.status).toBe(413);
  });

  it('answers 500 and logs the fix when a parser consumed the body without keeping its bytes', async () => {
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    app = await boot({ secrets: SECRET }, { rawBody: false });
    const { headers, body } = delivery();
    const answer = await request(app.getHttpServer()).post('/hooks/standard').set(headers).send(body);
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({
      error: 'raw_body_unavailable',
      message: 'The webhook endpoint is misconfigured.',
    });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('rawBody: true'));
    expect(error).toHaveBeenCalledWith(expect.stringContaining('req.body is set, req.rawBody is not'));
  });

  it("refuses a gzip body 415 unsupported_content_encoding, though Nest's parser inflated it (rawBody: true) or not (no parser)", async () => {
    for (const rawBody of [true, false]) {
      app = await boot({ secrets: SECRET }, { rawBody });
      await app.listen(0, '127.0.0.1');
      const { headers, body } = delivery();
      const answer = await fetch(`${await app.getUrl()}/hooks/standard`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': rawBody ? 'application/json' : 'application/octet-stream',
          'content-encoding': 'gzip',
        },
        body: gzipSync(body),
      });
      expect(answer.status).toBe(415);
      expect(await answer.json()).toMatchObject({ error: 'unsupported_content_encoding' });
      expect(handled).not.toContain(headers['webhook-id']);
      await app.close();
      app = undefined;
    }
  });

  it('maps reasons to the statuses the app chooses', async () => {
    app = await boot({ secrets: SECRET, statusCodes: { signature_mismatch: 403 } });
    const { headers } = delivery();
    const answer = await request(app.getHttpServer())
      .post('/hooks/standard')
      .set(headers)
      .send('{"tampered":1}');
    expect(answer.status).toBe(403);
  });

  it('takes no claim when a later guard refuses the request, so the retry is not stuck in flight', async () => {
    const store = new MemoryReplayStore();
    const claim = vi.spyOn(store, 'claim');
    app = await boot({ secrets: SECRET, replayStore: store }, { controllers: [RefusedLaterController] });
    const { headers, body } = delivery();
    expect((await request(app.getHttpServer()).post('/refused-later').set(headers).send(body)).status).toBe(
      403,
    );
    // The claim is the interceptor's, which runs after every guard.
    expect(claim).not.toHaveBeenCalled();
    expect(store.size).toBe(0);
  });

  it('answers a duplicate 200 on a POST route (not its 201), and on a route that answers itself (@Res())', async () => {
    app = await boot({ secrets: SECRET }, { controllers: [HooksController, AnswersItselfController] });
    const { headers, body } = delivery();
    const post = (path: string) => request(app!.getHttpServer()).post(path).set(headers).send(body);
    expect((await post('/hooks/standard')).status).toBe(201);
    const duplicate = await post('/hooks/standard');
    expect([duplicate.status, duplicate.body]).toEqual([200, { duplicate: true }]);
    expect((await post('/answers-itself')).status).toBe(204);
    const itsDuplicate = await post('/answers-itself');
    expect([itsDuplicate.status, itsDuplicate.body]).toEqual([200, { duplicate: true }]);
    expect(handled.filter((id) => id === headers['webhook-id'])).toHaveLength(2);
  });

  it('takes no claim when an app interceptor answers before ours runs', async () => {
    const store = new MemoryReplayStore();
    const claim = vi.spyOn(store, 'claim');
    app = await boot(
      { secrets: SECRET, replayStore: store },
      { providers: [{ provide: APP_INTERCEPTOR, useClass: AnswerEarlyInterceptor }] },
    );
    const { headers, body } = delivery();
    const answer = await request(app.getHttpServer()).post('/hooks/standard').set(headers).send(body);
    expect(answer.body).toEqual({ cached: true });
    expect(claim).not.toHaveBeenCalled();
    expect(handled).not.toContain(headers['webhook-id']);
  });

  it('keeps the claim when the sender hangs up while the handler runs, so its retry cannot run beside it', async () => {
    app = await boot({ secrets: SECRET }, { controllers: [HeldController] });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const { headers, body } = delivery();
    const id = headers['webhook-id'];
    const abandoned = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/held', headers });
    abandoned.on('error', () => undefined);
    abandoned.end(body);
    await held.reached.promise;
    abandoned.destroy(); // the sender's timeout, while the handler runs
    await held.closed.promise;

    const post = () => request(app!.getHttpServer()).post('/held').set(headers).send(body);
    const retry = await post();
    expect(retry.status).toBe(409);
    expect(retry.body.error).toBe('replay_in_flight');
    held.gate.resolve();
    await vi.waitFor(() => expect(handled).toContain(id));
    await vi.waitFor(async () => expect((await post()).body).toEqual({ duplicate: true }));
    expect(handled.filter((handledId) => handledId === id)).toHaveLength(1);
  });

  it('verifies and claims once when @VerifiedWebhook() is on both the class and the method', async () => {
    app = await boot({ secrets: SECRET }, { controllers: [DecoratedTwiceController] });
    const { headers, body } = delivery();
    const post = () => request(app!.getHttpServer()).post('/twice').set(headers).send(body);
    const first = await post();
    expect(first.status).toBe(201);
    // The method's options win over the class's.
    expect(first.body).toEqual({ ok: headers['webhook-id'], endpoint: 'method-override' });
    expect((await post()).body).toEqual({ duplicate: true });
    expect(handled.filter((id) => id === headers['webhook-id'])).toHaveLength(1);
  });

  it('marks a delivery done when its handler finishes after an outer timeout() gave up on it', async () => {
    app = await boot(
      { secrets: SECRET },
      {
        controllers: [SlowController],
        providers: [{ provide: APP_INTERCEPTOR, useClass: AnswerTimeoutInterceptor }],
      },
    );
    const { headers, body } = delivery();
    const id = headers['webhook-id'];
    const post = () => request(app!.getHttpServer()).post('/slow').set(headers).send(body);
    expect((await post()).status).toBe(500); // the timeout's answer; the handler runs on
    await vi.waitFor(() => expect(handled).toContain(id));
    // Done, not left in flight until the lease ends and then processed again.
    await vi.waitFor(async () => expect((await post()).body).toEqual({ duplicate: true }));
    expect(handled.filter((handledId) => handledId === id)).toHaveLength(1);
  });

  it('works with any store that keeps the contract, and answers its duplicates', async () => {
    const memory = new MemoryReplayStore();
    const claim = vi.fn((key: string, leaseMs: number) => memory.claim(key, leaseMs));
    const asyncStore: ReplayStore = {
      claim,
      complete: (key, token, ttlMs) => memory.complete(key, token, ttlMs),
      release: (key, token) => memory.release(key, token),
      renew: (key, token, leaseMs) => memory.renew(key, token, leaseMs),
    };
    app = await boot({ secrets: SECRET, replayStore: asyncStore });
    const { headers, body } = delivery();
    const post = () => request(app!.getHttpServer()).post('/hooks/standard').set(headers).send(body);
    expect((await post()).status).toBe(201);
    await vi.waitFor(async () => expect((await post()).body).toEqual({ duplicate: true }));
    expect(claim).toHaveBeenCalled();
    await memory.close();
  });

  describe('with the store unreachable', () => {
    let server: RedisServer;
    let store: RedisReplayStore;
    beforeAll(async () => {
      server = await RedisServer.start();
      store = await RedisReplayStore.fromUrl(server.url, { commandTimeoutMs: 300 });
      await server.stop();
    });
    afterAll(async () => {
      await store.close();
      await server.dispose();
    });

    it('warns at boot that the store cannot be reached', async () => {
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      app = await boot({ secrets: SECRET, replayStore: store });
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /replay store \(RedisReplayStore\) cannot be reached at boot.*requireStoreAtBoot/,
        ),
      );
    });

    it('refuses to start with requireStoreAtBoot', async () => {
      await expect(boot({ secrets: SECRET, replayStore: store, requireStoreAtBoot: true })).rejects.toThrow(
        /replay store \(RedisReplayStore\) cannot be reached at boot/,
      );
    });

    it('fails closed with 503 and never runs the handler', async () => {
      app = await boot({ secrets: SECRET, replayStore: store });
      const { headers, body } = delivery();
      const answer = await request(app.getHttpServer()).post('/hooks/standard').set(headers).send(body);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: 'replay_store_unavailable' });
      expect(handled).not.toContain(headers['webhook-id']);
    });

    it('processes without replay protection only with failOpen, and logs it', async () => {
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      app = await boot({ secrets: SECRET, replayStore: store, failOpen: true });
      const { headers, body } = delivery();
      expect(
        (await request(app.getHttpServer()).post('/hooks/standard').set(headers).send(body)).status,
      ).toBe(201);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('failOpen'));
    });
  });

  it.each(['sync', 'async', 'observable'])(
    'releases the claim when the handler fails (%s), so the retry is processed',
    async (kind) => {
      app = await boot({ secrets: SECRET }, { controllers: [FailingController] });
      const { headers, body } = delivery();
      const post = () => request(app!.getHttpServer()).post(`/failing/${kind}`).set(headers).send(body);
      expect((await post()).status).toBe(500);
      const retry = await post();
      expect(retry.body).toEqual({ ok: kind });
      expect((await post()).body).toEqual({ duplicate: true });
    },
  );

  it("keeps the app's async context (AsyncLocalStorage) around the handler", async () => {
    app = await boot(
      { secrets: SECRET },
      {
        controllers: [ContextController],
        providers: [{ provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor }],
      },
    );
    const { headers, body } = delivery();
    const answer = await request(app.getHttpServer()).post('/context').set(headers).send(body);
    expect(answer.body).toEqual({ context: 'request-42' });
  });

  it('answers 400 to an absolute-form request target instead of letting it choose the signed host', async () => {
    app = await boot({ secrets: SECRET, publicBaseUrl: 'https://hooks.example.com' });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const { headers, body } = delivery();
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: 'http://evil.example:1/hooks/standard', headers },
        (incoming) => {
          incoming.resume();
          resolve(incoming.statusCode ?? 0);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    expect(status).toBe(400);
    const normal = await request(app.getHttpServer()).post('/hooks/standard').set(headers).send(body);
    expect(normal.status).toBe(201);
  });

  it('exposes the store through its Symbol token', async () => {
    const store = new MemoryReplayStore();
    @Injectable()
    class UsesStore {
      constructor(@InjectReplayStore() readonly store: ReplayStore) {}
    }
    app = await boot({ secrets: SECRET, replayStore: store }, { providers: [UsesStore] });
    expect(app.get(UsesStore).store).toBe(store);
  });
});
