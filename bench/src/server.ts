/**
 * One server under test, as a child process of the runner: `node server.js <variant> <port>`.
 * Every variant is the same Nest Express app (rawBody: true, JSON parser limit raised to 2 MiB,
 * errors-only logger); only the route differs. Prints `READY` once listening.
 */
import 'reflect-metadata';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  CallHandler,
  CanActivate,
  DynamicModule,
  ExecutionContext,
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
import type { ReplayStore } from '@verified-webhooks/core';
import { MemoryReplayStore, RedisReplayStore } from '@verified-webhooks/core';
import { VerifiedWebhook, WebhookEvent, WebhooksModule } from '@verified-webhooks/nestjs';
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

/** (a) The limit: Nest has parsed the JSON (and kept the bytes); the handler does nothing else. */
@Controller()
class BareController {
  @Post('webhook')
  @HttpCode(200)
  handle(): { received: boolean } {
    return { received: true };
  }
}

/** (f), (g) Nest's own cost of a guarded (and intercepted) route: both do nothing. */
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
class GuardedController {
  @Post('webhook')
  @HttpCode(200)
  @UseGuards(NoopGuard)
  handle(): { received: boolean } {
    return { received: true };
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

/** (d), (e) The library as its README says to use it. */
@Controller()
class VerifiedController {
  @Post('webhook')
  @HttpCode(200)
  @VerifiedWebhook('standard-webhooks')
  handle(@WebhookEvent() event: VerifiedWebhookEvent): { received: boolean } {
    return { received: event.id !== undefined };
  }
}

@Module({})
class BenchModule {
  static async register(variant: Variant, redisUrl: string | undefined): Promise<DynamicModule> {
    if (variant === 'a') return { module: BenchModule, controllers: [BareController] };
    if (variant === 'f') return { module: BenchModule, controllers: [GuardedController] };
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
    const replayStore: ReplayStore =
      variant === 'e' ? await RedisReplayStore.fromUrl(redisUrl!) : new MemoryReplayStore();
    return {
      module: BenchModule,
      imports: [WebhooksModule.forRoot({ secrets: SECRET, replayStore, bodyLimit: BODY_LIMIT })],
      controllers: [VerifiedController],
    };
  }
}

const [variant, port] = process.argv.slice(2) as [Variant, string];
const app = await NestFactory.create<NestExpressApplication>(
  await BenchModule.register(variant, process.env.REDIS_URL),
  { rawBody: true, logger: ['error', 'warn'] },
);
app.useBodyParser('json', { limit: BODY_LIMIT });
await app.listen(Number(port), '127.0.0.1');
process.stdout.write('READY\n');
process.on('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});
