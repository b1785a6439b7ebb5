import { generateKeyPairSync } from 'node:crypto';
import type { ArgumentsHost, INestApplication } from '@nestjs/common';
import { All, Catch, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { APP_FILTER, BaseExceptionFilter, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  asana,
  discord,
  dropbox,
  meta,
  okta,
  secretsByEndpoint,
  slack,
  trello,
  twitch,
  woocommerce,
  zoom,
} from '@verified-webhooks/core';
import { sign } from '@verified-webhooks/core/testing';
import { VerifiedWebhook, WebhookEvent, WebhooksModule } from '@verified-webhooks/nestjs';
import request from 'supertest';

const SLACK = 'slack-handshake-secret-0123456789ab';
const ZOOM = 'zoom-handshake-secret-0123456789abc';
const TWITCH = 'twitch-handshake-secret-0123456789a';
const WOO = 'woo-handshake-secret-0123456789abcd';
const DROPBOX = 'dropbox-handshake-secret-012345678';
const OKTA = 'okta-static-token-0123456789abcdefg';
const TRELLO = 'trello-handshake-secret-012345678';
const META = 'meta-app-secret-handshake-0123456';
const META_VERIFY_TOKEN = 'meta-verify-token-0123456789';
const PUBLIC_BASE = 'https://hooks.example.com';
const discordKeys = generateKeyPairSync('ed25519');
const DISCORD_PUBLIC = discordKeys.publicKey
  .export({ format: 'der', type: 'spki' })
  .subarray(12)
  .toString('hex');
const DISCORD_SEED = discordKeys.privateKey
  .export({ format: 'der', type: 'pkcs8' })
  .subarray(16)
  .toString('hex');

const handled: string[] = [];
const asanaSecrets: string[] = [];

/** An app-wide filter that reports every exception before Nest answers it, as Sentry's does. */
const reported: unknown[] = [];
@Catch()
class ReportEverythingFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    reported.push(exception);
    super.catch(exception, host);
  }
}

@Controller('hooks')
class HandshakeController {
  private handle(name: string) {
    handled.push(name);
    return { handled: name };
  }

  @Post('slack')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: slack(), endpoint: 'slack' })
  slack() {
    return this.handle('slack');
  }

  @Post('zoom')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: zoom(), endpoint: 'zoom' })
  zoom() {
    return this.handle('zoom');
  }

  @Post('twitch')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: twitch(), endpoint: 'twitch' })
  twitch() {
    return this.handle('twitch');
  }

  @Post('discord')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: discord(), endpoint: 'discord' })
  discord() {
    return this.handle('discord');
  }

  @Post('discord-events')
  @HttpCode(200)
  @VerifiedWebhook({
    scheme: discord({ name: 'discord-webhook-events', webhookEvents: true }),
    endpoint: 'discord',
  })
  discordEvents() {
    return this.handle('discord-events');
  }

  @Post('asana')
  @HttpCode(200)
  @VerifiedWebhook({
    scheme: asana({ onHandshake: (secret) => asanaSecrets.push(secret) > 0 }),
    endpoint: 'asana',
    secrets: () => asanaSecrets,
  })
  asana() {
    return this.handle('asana');
  }

  @All('dropbox')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: dropbox(), endpoint: 'dropbox' })
  dropbox() {
    return this.handle('dropbox');
  }

  @All('okta')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: okta(), endpoint: 'okta' })
  okta(@WebhookEvent('payload') payload: unknown) {
    return this.handle(`okta:${JSON.stringify(payload)}`);
  }

  @All('trello')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: trello(), endpoint: 'trello' })
  trello() {
    return this.handle('trello');
  }

  @Post('woocommerce')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: woocommerce(), endpoint: 'woocommerce' })
  woocommerce() {
    return this.handle('woocommerce');
  }

  @All('meta')
  @HttpCode(200)
  @VerifiedWebhook({ scheme: meta({ verifyToken: META_VERIFY_TOKEN }), endpoint: 'meta' })
  meta() {
    return this.handle('meta');
  }
}

@Module({
  imports: [
    WebhooksModule.forRoot({
      publicBaseUrl: PUBLIC_BASE,
      secrets: secretsByEndpoint({
        slack: SLACK,
        zoom: ZOOM,
        twitch: TWITCH,
        discord: DISCORD_PUBLIC,
        dropbox: DROPBOX,
        okta: OKTA,
        trello: TRELLO,
        woocommerce: WOO,
        meta: META,
      }),
    }),
  ],
  controllers: [HandshakeController],
  providers: [{ provide: APP_FILTER, useClass: ReportEverythingFilter }],
})
class HandshakeModule {}

/**
 * Every provider handshake, answered by the guard through Nest on Express and on Fastify; the
 * handler never runs for one, and no exception reaches the app's filters for one.
 */
describe.each(['express', 'fastify'] as const)('provider handshakes through Nest (%s)', (platform) => {
  let app: INestApplication;
  let server: ReturnType<INestApplication['getHttpServer']>;
  const post = (path: string, headers: Record<string, string>, body: string) =>
    request(server).post(path).set(headers).send(body);

  beforeAll(async () => {
    app =
      platform === 'express'
        ? await NestFactory.create(HandshakeModule, { rawBody: true, logger: false })
        : await NestFactory.create(HandshakeModule, new FastifyAdapter(), { rawBody: true, logger: false });
    await app.init();
    if (platform === 'fastify')
      await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
    server = app.getHttpServer();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    handled.length = 0;
    reported.length = 0;
    asanaSecrets.length = 0;
  });
  afterEach(() => {
    // Refusals reach the filters (they are errors worth seeing); handshakes never do.
    for (const exception of reported) {
      expect((exception as { getStatus?: () => number }).getStatus?.()).toBeGreaterThanOrEqual(400);
    }
  });

  it('answers a Slack url_verification without any exception reaching a global @Catch() filter', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'quiet-challenge', token: 'x' });
    const { headers } = sign(slack(), { secret: SLACK, body });
    expect((await post('/hooks/slack', headers, body)).body).toEqual({ challenge: 'quiet-challenge' });
    expect(reported).toEqual([]);
    // A refused delivery still reaches the filter.
    const forged = await post(
      '/hooks/slack',
      { ...headers, 'x-slack-signature': `v0=${'1'.repeat(64)}` },
      body,
    );
    expect(forged.status).toBe(401);
    expect(reported).toHaveLength(1);
  });

  it('Slack url_verification (signed) answers the challenge; a forged one is refused', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'slack-challenge', token: 'x' });
    const { headers } = sign(slack(), { secret: SLACK, body });
    const answer = await post('/hooks/slack', headers, body);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ challenge: 'slack-challenge' });
    expect(
      (await post('/hooks/slack', { ...headers, 'x-slack-signature': `v0=${'1'.repeat(64)}` }, body)).status,
    ).toBe(401);
    expect(handled).toEqual([]);
  });

  it('Slack ssl_check (unsigned form POST) answers 200 without the handler', async () => {
    const answer = await post(
      '/hooks/slack',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'ssl_check=1&token=x',
    );
    expect(answer.status).toBe(200);
    expect(handled).toEqual([]);
  });

  it('Zoom endpoint.url_validation answers plainToken and its HMAC', async () => {
    const body = JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: 'plain-123' } });
    const { headers } = sign(zoom(), { secret: ZOOM, body });
    const answer = await post('/hooks/zoom', headers, body);
    const { createHmac } = await import('node:crypto');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      plainToken: 'plain-123',
      encryptedToken: createHmac('sha256', ZOOM).update('plain-123').digest('hex'),
    });
    expect(handled).toEqual([]);
  });

  it('Twitch webhook_callback_verification answers the raw challenge as text', async () => {
    const body = JSON.stringify({
      challenge: 'twitch-challenge',
      subscription: { id: 's', type: 'channel.follow' },
    });
    const { headers } = sign(twitch(), { secret: TWITCH, body, type: 'webhook_callback_verification' });
    const answer = await post('/hooks/twitch', headers, body);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    expect(answer.text).toBe('twitch-challenge');
    expect(handled).toEqual([]);
  });

  it('Discord PING: interactions answer {"type":1}, webhook events answer 204; both verified first', async () => {
    const ping = JSON.stringify({ type: 1, id: 'ping-1' });
    const signed = sign(discord(), { secret: DISCORD_SEED, body: ping });
    const interactions = await post('/hooks/discord', signed.headers, ping);
    expect(interactions.status).toBe(200);
    expect(interactions.body).toEqual({ type: 1 });
    const eventPing = JSON.stringify({ version: 1, application_id: 'a', type: 0 });
    const signedEvent = sign(discord(), { secret: DISCORD_SEED, body: eventPing });
    expect((await post('/hooks/discord-events', signedEvent.headers, eventPing)).status).toBe(204);
    const forged = await post(
      '/hooks/discord',
      { ...signed.headers, 'x-signature-ed25519': '00'.repeat(64) },
      ping,
    );
    expect(forged.status).toBe(401);
    expect(handled).toEqual([]);
  });

  it('Asana X-Hook-Secret is handed to the hook and echoed; later deliveries verify with it', async () => {
    const answer = await post('/hooks/asana', { 'x-hook-secret': 'asana-hook-secret-0123456789abcdef' }, '');
    expect(answer.status).toBe(200);
    expect(answer.headers['x-hook-secret']).toBe('asana-hook-secret-0123456789abcdef');
    expect(asanaSecrets).toEqual(['asana-hook-secret-0123456789abcdef']);
    const body = JSON.stringify({ events: [{ action: 'changed' }] });
    const { headers } = sign(asana({ onHandshake: () => false }), { secret: asanaSecrets[0]!, body });
    expect((await post('/hooks/asana', headers, body)).body).toEqual({ handled: 'asana' });
  });

  it('Dropbox GET ?challenge echoes it as text/plain with nosniff', async () => {
    const answer = await request(server).get('/hooks/dropbox?challenge=dbx-challenge');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('dbx-challenge');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(handled).toEqual([]);
  });

  it('Okta verification GET answers {"verification": …}', async () => {
    const answer = await request(server)
      .get('/hooks/okta')
      .set('x-okta-verification-challenge', 'okta-challenge');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ verification: 'okta-challenge' });
    expect(handled).toEqual([]);
  });

  it('Trello HEAD on registration answers 200', async () => {
    const answer = await request(server).head('/hooks/trello');
    expect(answer.status).toBe(200);
    expect(handled).toEqual([]);
  });

  it('Meta GET hub.challenge is echoed only for the configured verify token; deliveries verify with the App Secret', async () => {
    const check = (token: string) =>
      request(server)
        .get('/hooks/meta')
        .query({ 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': token });
    const answer = await check(META_VERIFY_TOKEN);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    expect(answer.text).toBe('1158201444');
    const wrong = await check('not-the-verify-token');
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('1158201444');
    expect(handled).toEqual([]);
    const body = JSON.stringify({ object: 'page', entry: [{ id: '1', messaging: [] }] });
    const { headers } = sign(meta(), { secret: META, body });
    expect((await post('/hooks/meta', headers, body)).body).toEqual({ handled: 'meta' });
  });

  it('WooCommerce unsigned creation ping answers 200; an unsigned delivery of any other shape is refused', async () => {
    const ping = await post(
      '/hooks/woocommerce',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'webhook_id=42',
    );
    expect(ping.status).toBe(200);
    const sneaky = await post(
      '/hooks/woocommerce',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'webhook_id=42&order=1',
    );
    expect(sneaky.status).toBe(401);
    expect(handled).toEqual([]);
  });
});
