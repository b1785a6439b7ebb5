import { defineConfig } from 'vitest/config';

/** `npm run test:pack`: the packed tarballs in a separate app, apart from `npm test` (it installs from the npm cache). */
export default defineConfig({
  test: {
    globals: true,
    environment: 'node',
    include: ['test/pack/**/*.pack.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
});
