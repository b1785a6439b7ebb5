#!/usr/bin/env node
// The CLI's entry point: a committed file, so npm links the bin at install, before the first build
// (inside the repository, `npx verified-webhooks` works after `npm install` and a build).
import process from 'node:process';

import('../dist/cli/main.js').catch((/** @type {unknown} */ error) => {
  if (error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('verified-webhooks: not built yet; run `npm run build` first.\n');
    process.exit(2);
  }
  throw error;
});
