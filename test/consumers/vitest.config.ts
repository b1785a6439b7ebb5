import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** `npm run test:consumers`: the consumer-app matrix (`consumers.matrix.ts`), apart from `npm test`. */
export default defineConfig({
  test: {
    globals: true,
    environment: 'node',
    include: ['test/consumers/**/*.matrix.ts'],
    // Rows install, build and test concurrently; most of a row is waiting on npm and child processes.
    maxConcurrency: Number(process.env.VW_CONSUMERS_CONCURRENCY ?? Math.max(3, availableParallelism())),
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
