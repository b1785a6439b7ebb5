import type { INestApplication } from '@nestjs/common';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import type { ReplayStore } from '@verified-webhooks/core';
import { MemoryReplayStore, RedisReplayStore } from '@verified-webhooks/core';
import request from 'supertest';
import { RedisServer } from '../../../../test/support/redis-server.js';
import { WebhooksModule } from '../webhooks.module.js';
import { ReplayStoreHealthIndicator } from './replay-store.health.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly replayStore: ReplayStoreHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.replayStore.isHealthy()]);
  }
}

async function boot(replayStore: ReplayStore | false): Promise<INestApplication> {
  @Module({
    imports: [WebhooksModule.forRoot({ replayStore }), TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
    providers: [ReplayStoreHealthIndicator],
  })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: false });
  await app.init();
  return app;
}

describe('ReplayStoreHealthIndicator', () => {
  let server: RedisServer;
  let app: INestApplication | undefined;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => server.dispose());

  it('is up while Redis answers ping, and down (503) once it is gone', async () => {
    const store = await RedisReplayStore.fromUrl(server.url, { commandTimeoutMs: 300 });
    app = await boot(store);
    const up = await request(app.getHttpServer()).get('/health');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ status: 'ok', info: { replayStore: { status: 'up' } } });
    await server.stop();
    const down = await request(app.getHttpServer()).get('/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'error', error: { replayStore: { status: 'down' } } });
  });

  it('is up for the in-memory store and when replay protection is off', async () => {
    app = await boot(new MemoryReplayStore());
    expect((await request(app.getHttpServer()).get('/health')).status).toBe(200);
    await app.close();
    app = await boot(false);
    const off = await request(app.getHttpServer()).get('/health');
    expect(off.body).toMatchObject({ info: { replayStore: { status: 'up', replay: 'off' } } });
  });
});
