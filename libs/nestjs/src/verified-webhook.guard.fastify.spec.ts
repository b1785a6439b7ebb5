import type { CanActivate } from '@nestjs/common';
import { Controller, HttpCode, Injectable, Module, Post, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AnyWebhookScheme, ReplayStore } from '@verified-webhooks/core';
import { MemoryReplayStore, standardWebhooks } from '@verified-webhooks/core';
import { sign } from '@verified-webhooks/core/testing';
import { randomUUID } from 'node:crypto';
import { VerifiedWebhook } from './verified-webhook.decorator.js';
import { WebhookEvent } from './webhook-event.decorator.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WebhooksModule } from './webhooks.module.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 21).toString('base64');
const scheme = standardWebhooks();
const delivery = (body = JSON.stringify({ type: 'ping', n: randomUUID() })) =>
  sign(scheme, { secret: SECRET, body, id: `msg_${randomUUID()}` });

/** Standard Webhooks plus an unsigned challenge (`?challenge=…`), as Dropbox-style senders use. */
const challenging: AnyWebhookScheme = {
  ...scheme,
  name: 'challenging',
  unsignedHandshake: ({ query }) =>
    query.challenge ? { status: 200, headers: { 'x-challenge': 'yes' }, body: query.challenge } : undefined,
};

@Injectable()
class RefuseGuard implements CanActivate {
  canActivate() {
    return false;
  }
}

@Controller('hooks')
class HooksController {
  @Post('standard')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'standard' })
  standard(@WebhookEvent('id') id: string) {
    return { ok: id };
  }

  @Post('refused-later')
  @UseGuards(RefuseGuard) // runs after ours (decorators apply bottom-up)
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'refused-later' })
  refused() {
    return 'never';
  }

  @Post('challenge')
  @VerifiedWebhook({ scheme: challenging, endpoint: 'challenge' })
  challenge() {
    return 'never';
  }
}

async function boot(options: WebhooksModuleOptions): Promise<NestFastifyApplication> {
  @Module({ imports: [WebhooksModule.forRoot(options)], controllers: [HooksController] })
  class TestModule {}
  const app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), {
    rawBody: true,
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('VerifiedWebhookGuard on Fastify', () => {
  let app: NestFastifyApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const inject = (url: string, signed: { headers: Record<string, string>; body: string }) =>
    app!.inject({ method: 'POST', url, headers: signed.headers, payload: signed.body });

  it('verifies the bytes Fastify kept (rawBody) and answers a duplicate without the handler', async () => {
    app = await boot({ secrets: SECRET });
    const signed = delivery();
    const first = await inject('/hooks/standard', signed);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ ok: signed.headers['webhook-id'] });
    expect((await inject('/hooks/standard', signed)).json()).toEqual({ duplicate: true });
    expect((await inject('/hooks/standard', { ...signed, body: `${signed.body} ` })).statusCode).toBe(401);
  });

  it('releases the claim on the raw response close when a later guard refuses', async () => {
    const store = new MemoryReplayStore();
    const release = vi.spyOn(store, 'release');
    app = await boot({ secrets: SECRET, replayStore: store });
    expect((await inject('/hooks/refused-later', delivery())).statusCode).toBe(403);
    // Claimed by our guard, then freed: not merely never claimed.
    await vi.waitFor(() => expect(release).toHaveBeenCalledTimes(1));
    expect(store.size).toBe(0);
  });

  it('answers 409 with Retry-After through the adapter while the delivery is in flight', async () => {
    const inFlight: ReplayStore = {
      claim: () => Promise.resolve({ state: 'in_flight', retryAfterMs: 2_500 }),
      complete: () => Promise.resolve(true),
      release: () => Promise.resolve(),
      renew: () => Promise.resolve(false),
    };
    app = await boot({ secrets: SECRET, replayStore: inFlight });
    const answer = await inject('/hooks/standard', delivery());
    expect(answer.statusCode).toBe(409);
    expect(answer.headers['retry-after']).toBe('3');
    expect(answer.json()).toMatchObject({ error: 'replay_in_flight' });
  });

  it('sends a handshake reply through the adapter and runs no handler', async () => {
    app = await boot({ secrets: SECRET });
    const answer = await app.inject({ method: 'POST', url: '/hooks/challenge?challenge=abc123' });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe('abc123');
    expect(answer.headers['x-challenge']).toBe('yes');
  });
});
