import type { INestApplication } from '@nestjs/common';
import type { HttpPlatform } from '../../sample-app/src/create-app.js';
import { createApp } from '../../sample-app/src/create-app.js';
import { EventsService } from '../../sample-app/src/events.service.js';

export type StoreKind = 'memory' | 'redis';
export type { HttpPlatform };
export const PLATFORMS: readonly HttpPlatform[] = ['express', 'fastify'];

export interface RunningSampleApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly events: EventsService;
  close(): Promise<void>;
}

/** Starts the sample app on a free port with the given environment (no logs unless VW_TEST_LOGS is set). */
export async function startSampleApp(
  env: Record<string, string>,
  redisUrl?: string,
  platform: HttpPlatform = 'express',
): Promise<RunningSampleApp> {
  const { app } = await createApp(
    { NODE_ENV: 'test', ...env, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) },
    process.env.VW_TEST_LOGS ? undefined : false,
    { platform },
  );
  await app.listen(0, '127.0.0.1');
  return {
    app,
    url: await app.getUrl(),
    events: app.get(EventsService),
    close: () => app.close(),
  };
}
