import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // Vite's oxc transform with legacy decorators and emitted metadata, as tsc builds them: Nest's DI needs it.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: {
    alias: [
      { find: '@verified-webhooks/core/testing', replacement: here('libs/core/src/testing/index.ts') },
      { find: '@verified-webhooks/core/express', replacement: here('libs/core/src/express/index.ts') },
      { find: '@verified-webhooks/core/bullmq', replacement: here('libs/core/src/bullmq/index.ts') },
      { find: '@verified-webhooks/core/s3', replacement: here('libs/core/src/s3/index.ts') },
      {
        find: /^@verified-webhooks\/core\/typings\/(stripe|github)$/,
        replacement: here('libs/core/src/typings/$1.ts'),
      },
      { find: '@verified-webhooks/nestjs/terminus', replacement: here('libs/nestjs/src/terminus/index.ts') },
      { find: '@verified-webhooks/core', replacement: here('libs/core/src/index.ts') },
      { find: '@verified-webhooks/nestjs', replacement: here('libs/nestjs/src/index.ts') },
    ],
  },
  test: {
    globals: true,
    environment: 'node',
    include: ['libs/*/src/**/*.spec.ts', 'sample-app/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    globalSetup: [
      'test/support/redis.global-setup.ts',
      'test/support/s3.global-setup.ts',
      'test/support/reliability-report.global-setup.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
