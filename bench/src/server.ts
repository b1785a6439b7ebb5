/**
 * One server under test, as a child process of the runner: `node server.js <variant> <port>`.
 * Every variant is the same Nest app (rawBody: true, JSON parser limit raised to 2 MiB, errors-only
 * logger) on Express, or on Fastify for (h), (i), (j); only the route differs. (k) is the sample app.
 * Prints `READY` once listening.
 */
import 'reflect-metadata';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  CallHandler,
  CanActivate,
  DynamicModule,
  ExecutionContext,
  INestApplication,
  LogLevel,
  NestInterceptor,
  RawBodyRequest,
} from '@nestjs/common';
import {
  Controller,
  HttpCode,
  Inject,
  Module,
  Post,
  Req,
  UnauthorizedException,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { ReplayStore } from '@verified-webhooks/core';
import { MemoryReplayStore, RedisReplayStore } from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import { OnWebhookEvent, VerifiedWebhook, WebhookEvent, WebhooksModule } from '@verified-webhooks/nestjs';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import type { Request } from 'express';
import { Redis } from 'ioredis';
import type { Observable } from 'rxjs';
import { Webhook } from 'standardwebhooks';
import type { Variant } from './common.js';
import { BODY_LIMIT, SECRET, SECRET_KEY } from './common.js';

const REDIS = Symbol('Redis');
const TOLERANCE_S = 5 * 60;
const REPLAY_TTL_MS = 10 * 60_000;

/** (a), (h) The limit: Nest has parsed the JSON (and kept the bytes); the handler does nothing else. */
@Controller()
class BareController {
  @Post('webhook')
  @HttpCode(200)
  handle(): { received: boolean } {
    return { received: true };
  }
}

/** (g) Nest's own cost of the library's shape, a guard and an interceptor, both doing nothing. */
class NoopGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

class NoopInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

@Controller()
class GuardedInterceptedController {
  @Post('webhook')
  @HttpCode(200)
  @UseGuards(NoopGuard)
  @UseInterceptors(NoopInterceptor)
  handle(): { received: boolean } {
    return { received: true };
  }
}

/** (b) What a careful user writes by hand with the reference library and ioredis. */
@Controller()
class PeerController {
  private readonly webhook = new Webhook(SECRET);
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  @Post('webhook')
  @HttpCode(200)
  async handle(@Req() request: RawBodyRequest<Request>): Promise<{ received: boolean }> {
    try {
      this.webhook.verify(request.rawBody!, request.headers as Record<string, string>);
    } catch {
      throw new UnauthorizedException();
    }
    const id = request.headers['webhook-id'] as string;
    const fresh = await this.redis.set(`peer:${id}`, '1', 'PX', REPLAY_TTL_MS, 'NX');
    return { received: fresh !== null };
  }
}

/** (c) The bare minimum by hand: node:crypto HMAC, timingSafeEqual, one SET NX PX. */
@Controller()
class CryptoController {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  @Post('webhook')
  @HttpCode(200)
  async handle(@Req() request: RawBodyRequest<Request>): Promise<{ received: boolean }> {
    const id = request.headers['webhook-id'];
    const timestamp = request.headers['webhook-timestamp'];
    const header = request.headers['webhook-signature'];
    if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof header !== 'string') {
      throw new UnauthorizedException();
    }
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_S) throw new UnauthorizedException();
    const expected = createHmac('sha256', SECRET_KEY)
      .update(`${id}.${timestamp}.`)
      .update(request.rawBody!)
      .digest();
    let matched = false;
    for (const entry of header.split(' ')) {
      if (!entry.startsWith('v1,')) continue;
      const received = Buffer.from(entry.slice(3), 'base64');
      if (received.length === expected.length && timingSafeEqual(received, expected)) matched = true;
    }
    if (!matched) throw new UnauthorizedException();
    const fresh = await this.redis.set(`crypto:${id}`, '1', 'PX', REPLAY_TTL_MS, 'NX');
    return { received: fresh !== null };
  }
}

/** (d), (e), (i), (j) The library as its README says to use it. */
@Controller()
class VerifiedController {
  @Post('webhook')
  @HttpCode(200)
  @VerifiedWebhook('standard-webhooks')
  handle(@WebhookEvent() event: VerifiedWebhookEvent): { received: boolean } {
    return { received: event.id !== undefined };
  }
}

/** (q), (r) The durable route: verified, claimed, stored in BullMQ, answered 202 `{ queued }`. */
@Controller()
class DurableController {
  @Post('webhook')
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'bench', processing: 'queue' })
  handle(): void {}
}

/** The durable route's handler, run by the worker: does nothing, so the queue's own cost is measured. */
class NoopHandlers {
  @OnWebhookEvent('bench', '*')
  handle(): void {}
}

@Module({})
class BenchModule {
  static async register(variant: Variant, redisUrl: string | undefined): Promise<DynamicModule> {
    if (variant === 'a' || variant === 'h') return { module: BenchModule, controllers: [BareController] };
    if (variant === 'g') return { module: BenchModule, controllers: [GuardedInterceptedController] };
    if (variant === 'b' || variant === 'c') {
      const redis = new Redis(redisUrl!, { lazyConnect: true });
      await redis.connect();
      return {
        module: BenchModule,
        controllers: [variant === 'b' ? PeerController : CryptoController],
        providers: [{ provide: REDIS, useValue: redis }],
      };
    }
    if (variant === 'q' || variant === 'r') {
      return {
        module: BenchModule,
        imports: [
          WebhooksModule.forRoot({
            secrets: SECRET,
            replayStore: await RedisReplayStore.fromUrl(redisUrl!),
            queue: await BullmqWebhookQueue.fromUrl(redisUrl!),
            // (q) receives only, as an app whose workers run elsewhere; (r) also runs them in-process.
            worker: variant === 'r',
            bodyLimit: BODY_LIMIT,
          }),
        ],
        controllers: [DurableController],
        providers: [NoopHandlers],
      };
    }
    const replayStore: ReplayStore =
      variant === 'e' || variant === 'j'
        ? await RedisReplayStore.fromUrl(redisUrl!)
        : new MemoryReplayStore();
    return {
      module: BenchModule,
      imports: [WebhooksModule.forRoot({ secrets: SECRET, replayStore, bodyLimit: BODY_LIMIT })],
      controllers: [VerifiedController],
    };
  }
}

const LOGGER: LogLevel[] = ['error', 'warn'];

async function createBenchApp(variant: Variant): Promise<INestApplication> {
  const module = await BenchModule.register(variant, process.env.REDIS_URL);
  if (variant === 'h' || variant === 'i' || variant === 'j') {
    // As the README's Fastify example, with Fastify's body limit raised (its JSON parser uses it).
    return NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ bodyLimit: BODY_LIMIT }), {
      rawBody: true,
      logger: LOGGER,
    });
  }
  const app = await NestFactory.create<NestExpressApplication>(module, { rawBody: true, logger: LOGGER });
  app.useBodyParser('json', { limit: BODY_LIMIT });
  return app;
}

/** (k) The sample app as built (`sample-app/dist`), its Standard Webhooks endpoint given the bench secret. */
async function createSampleApp(): Promise<INestApplication> {
  const { createApp } = (await import(SAMPLE_APP)) as {
    createApp: (env: NodeJS.ProcessEnv) => Promise<{ app: INestApplication }>;
  };
  const { app } = await createApp({
    ...process.env,
    STANDARD_WEBHOOK_SECRET: SECRET,
    WEBHOOK_BODY_LIMIT: String(BODY_LIMIT),
  });
  return app;
}
const SAMPLE_APP = new URL('../../../../sample-app/dist/create-app.js', import.meta.url).href;

const [variant, port] = process.argv.slice(2) as [Variant, string];
const app = variant === 'k' ? await createSampleApp() : await createBenchApp(variant);
await app.listen(Number(port), '127.0.0.1');
process.stdout.write('READY\n');
process.on('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});
