import type { CanActivate, ExecutionContext, INestApplication } from '@nestjs/common';
import { Controller, Get, HttpCode, Injectable, Module, Post, UnauthorizedException } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { standardWebhooks } from '@verified-webhooks/core';
import { sign } from '@verified-webhooks/core/testing';
import { isWebhookRoute, VerifiedWebhook, WebhookEvent, WebhooksModule } from '@verified-webhooks/nestjs';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { HttpPlatform } from '../support/sample-app.js';
import { PLATFORMS } from '../support/sample-app.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 51).toString('base64');
const TOKEN = 'api-token-for-the-e2e-suite';
const LIMIT = 2;
const scheme = standardWebhooks();
const delivery = () =>
  sign(scheme, { secret: SECRET, id: `msg_${randomUUID()}`, body: JSON.stringify({ type: 'ping' }) });

/** An app's global auth guard: a bearer token everywhere, except on webhook routes (their signature is their auth). */
@Injectable()
class BearerAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (isWebhookRoute(context)) return true;
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
      .headers.authorization;
    if (header !== `Bearer ${TOKEN}`) throw new UnauthorizedException();
    return true;
  }
}

@Controller()
class AppController {
  @Post('webhooks/billing')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'billing' })
  billing(@WebhookEvent('id') id: string) {
    return { received: id };
  }

  @Get('me')
  me() {
    return { user: 'alice' };
  }
}

@Module({
  imports: [
    WebhooksModule.forRoot({ secrets: SECRET }),
    ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: LIMIT }], skipIf: isWebhookRoute }),
  ],
  controllers: [AppController],
  providers: [
    { provide: APP_GUARD, useClass: BearerAuthGuard },
    { provide: APP_GUARD, useClass: ThrottlerGuard },
  ],
})
class AppModule {}

describe.each<HttpPlatform>([...PLATFORMS])(
  'global auth guard + @nestjs/throttler as APP_GUARDs (%s)',
  (platform) => {
    let app: INestApplication;
    beforeAll(async () => {
      app =
        platform === 'fastify'
          ? await NestFactory.create(AppModule, new FastifyAdapter(), { rawBody: true, logger: false })
          : await NestFactory.create(AppModule, { rawBody: true, logger: false });
      await app.init();
      if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
    });
    afterAll(() => app.close());

    it('lets signed deliveries through without a token and beyond the rate limit', async () => {
      for (let i = 0; i < LIMIT * 3; i++) {
        const { headers, body } = delivery();
        const answer = await request(app.getHttpServer()).post('/webhooks/billing').set(headers).send(body);
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ received: headers['webhook-id'] });
      }
    });

    it('still refuses an unsigned delivery: skipping auth and throttling is not skipping verification', async () => {
      const answer = await request(app.getHttpServer())
        .post('/webhooks/billing')
        .set('content-type', 'application/json')
        .send('{"type":"ping"}');
      expect(answer.status).toBe(401);
      // The webhook guard's refusal (a reason code), not the auth guard's plain 401.
      expect(answer.body).toMatchObject({ error: 'missing_signature' });
    });

    it('keeps auth and the rate limit on the other routes', async () => {
      expect((await request(app.getHttpServer()).get('/me')).status).toBe(401);
      const authed = () => request(app.getHttpServer()).get('/me').set('authorization', `Bearer ${TOKEN}`);
      for (let i = 0; i < LIMIT; i++) expect((await authed()).status).toBe(200);
      expect((await authed()).status).toBe(429);
    });
  },
);
