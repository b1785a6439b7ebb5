import 'reflect-metadata';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ReplayStore } from '@verified-webhooks/core';
import { MemoryReplayStore, RedisReplayStore } from '@verified-webhooks/core';
import { AppModule } from './app.module.js';
import type { SampleConfig } from './sample-config.js';
import { loadSampleConfig } from './sample-config.js';

export interface SampleApp {
  readonly app: INestApplication;
  readonly config: SampleConfig;
}

/** Builds the sample app from an environment; tests call it with their own. */
export async function createApp(
  env: NodeJS.ProcessEnv = process.env,
  logger: LoggerService | false | undefined = new Logger(),
): Promise<SampleApp> {
  const log = logger === false ? silentLogger : new Logger('SampleApp');
  const config = loadSampleConfig(env, log);
  const replayStore: ReplayStore = config.redisUrl
    ? await RedisReplayStore.fromUrl(config.redisUrl)
    : new MemoryReplayStore();
  // rawBody: true keeps the exact bytes next to the parsed body: signatures are over bytes.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, replayStore), {
    rawBody: true,
    ...(logger === undefined ? {} : { logger }),
  });
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  app.enableShutdownHooks();
  log.log(
    config.redisUrl
      ? `Replay store: Redis at ${redactUrl(config.redisUrl)}`
      : 'Replay store: in memory (one process; set REDIS_URL to share it)',
  );
  return { app, config };
}

const silentLogger = { log: () => undefined, warn: () => undefined };

/** Keeps a password in REDIS_URL out of the log. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
