import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Controller, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FsArchiveSink, microsoftGraph } from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import { OnWebhookEvent, VerifiedWebhook, WebhookArchive, WebhooksModule } from '@verified-webhooks/nestjs';
import { Redis } from 'ioredis';
import request from 'supertest';
import { inject } from 'vitest';

// Graph's secret travels inside the body: the queue (Redis) and the archive must never hold it.
const CLIENT_STATE = `graph-state-${randomUUID()}`;
const seen: unknown[] = [];

interface GraphPayload {
  readonly value: readonly { readonly clientState: string; readonly resource: string }[];
}

@Injectable()
class GraphHandlers {
  @OnWebhookEvent('graph', '*')
  changed(event: VerifiedWebhookEvent<GraphPayload>) {
    seen.push(event.payload);
  }
}

@Controller('hooks')
class GraphController {
  @Post('graph')
  @VerifiedWebhook({ scheme: microsoftGraph(), endpoint: 'graph', processing: 'queue' })
  graph() {}
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The text with every base64 `body` it holds decoded beside it (stored deliveries keep the body as base64). */
function withBodies(text: string): string {
  const bodies = [...text.matchAll(/"body\\?"\s*:\s*\\?"([A-Za-z0-9+/=]+)/g)];
  expect(bodies.length).toBeGreaterThan(0);
  return [text, ...bodies.map((match) => Buffer.from(match[1]!, 'base64').toString('utf8'))].join('\n');
}

/** Every value of every key in the Redis database, whatever its type. */
async function everythingInRedis(redis: Redis): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      parts.push(key);
      const type = await redis.type(key);
      if (type === 'string') parts.push((await redis.get(key)) ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } while (cursor !== '0');
  return parts.join('\n');
}

describe('a Microsoft Graph delivery through a durable route (BullMQ on a real redis-server, FsArchiveSink)', () => {
  let app: INestApplication;
  let queue: BullmqWebhookQueue;
  let redis: Redis;
  const directory = mkdtempSync(join(tmpdir(), 'vw-graph-archive-'));

  beforeAll(async () => {
    queue = await BullmqWebhookQueue.fromUrl(inject('redisUrl'), {
      prefix: `{vw-graph-${randomUUID().slice(0, 8)}}`,
    });
    redis = new Redis(inject('redisUrl'));
    @Module({
      imports: [
        WebhooksModule.forRoot({
          secrets: CLIENT_STATE,
          queue,
          archive: { sink: new FsArchiveSink({ directory }) },
        }),
      ],
      controllers: [GraphController],
      providers: [GraphHandlers],
    })
    class GraphModule {}
    app = await NestFactory.create(GraphModule, { rawBody: true, logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    redis.disconnect();
    rmSync(directory, { recursive: true, force: true });
  });

  it('keeps the clientState out of Redis and the archive; the handler runs on the marker', async () => {
    const body = JSON.stringify({
      value: [
        { subscriptionId: 's1', changeType: 'created', clientState: CLIENT_STATE, resource: 'users/1' },
        { subscriptionId: 's1', changeType: 'updated', clientState: CLIENT_STATE, resource: 'users/2' },
      ],
    });
    const answer = await request(app.getHttpServer())
      .post('/hooks/graph')
      .set('content-type', 'application/json')
      .set('client-request-id', 'req-1')
      .send(body);
    expect(answer.status).toBe(202);
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 10_000 });
    expect(seen[0]).toEqual({
      value: [
        { subscriptionId: 's1', changeType: 'created', clientState: '[redacted]', resource: 'users/1' },
        { subscriptionId: 's1', changeType: 'updated', clientState: '[redacted]', resource: 'users/2' },
      ],
    });

    const [entry] = await app.get(WebhookArchive).list({ endpoint: 'graph' });
    expect(entry!.redacted).toBe(true);
    // Graph's headers cannot be probed for the secret (its sign() needs it in the body): only safe ones kept.
    expect(entry!.delivery.headers).toEqual({ 'content-type': 'application/json' });

    const stored = withBodies(await everythingInRedis(redis));
    expect(stored).toContain('users/1');
    expect(stored).not.toContain(CLIENT_STATE);
    const files = filesUnder(directory).map((file) => readFileSync(file, 'utf8'));
    expect(files.length).toBeGreaterThan(0);
    const archived = withBodies(files.join('\n'));
    expect(archived).toContain('users/2');
    expect(archived).not.toContain(CLIENT_STATE);
  });
});
