import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Stripe from 'stripe';
import { appFiles, STRIPE_TEST_SECRET } from './app-files.js';
import type { Row } from './rows.js';
import { ROWS } from './rows.js';

/**
 * `npm run test:consumers`: the packed tarballs in a fresh app per row of `rows.ts`, installed with a
 * plain `npm install` (no --legacy-peer-deps, no overrides, no transformIgnorePatterns). Each row:
 * install, build as `nest build` does (tsc -p tsconfig.build.json), type-check with
 * `skipLibCheck: false` (no ioredis, prom-client or terminus installed, but for the terminus row), run
 * the app's own e2e test with its runner, then start the built app (`node dist/main.js`) and send it
 * Stripe-signed deliveries over HTTP. Rows run concurrently (VW_CONSUMERS_CONCURRENCY, vitest's
 * maxConcurrency) and share the npm cache; each prints its time per step.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const only = process.env.VW_CONSUMERS_ROWS?.split(',');
const rows = only ? ROWS.filter((row) => only.includes(row.id)) : ROWS;
const keep = process.env.VW_CONSUMERS_KEEP === '1';

interface Result {
  stdout: string;
  stderr: string;
}

async function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Result> {
  try {
    return await promisify(execFile)(command, args, {
      cwd,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failed = error as Error & Partial<Result>;
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`,
      {
        cause: error,
      },
    );
  }
}

/** npm-installed bins run with this Node; no npx, no shell. */
const bin = (app: string, path: string, args: string[]) =>
  run(process.execPath, [join(app, 'node_modules', path), ...args], app);

describe('consumer apps from the packed tarballs', () => {
  let dir: string;
  const tarballs = { core: '', nestjs: '' };
  const times: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vw-consumers-'));
    const packed = JSON.parse(
      (
        await run(
          'npm',
          ['pack', './libs/core', './libs/nestjs', '--pack-destination', dir, '--json', '--loglevel=error'],
          root,
        )
      ).stdout,
    ) as { name: string; filename: string }[];
    for (const { name, filename } of packed)
      tarballs[name === '@verified-webhooks/core' ? 'core' : 'nestjs'] = join(dir, filename);
  });
  afterAll(() => {
    console.log(`consumer matrix (${dir}):\n${times.join('\n')}`);
    if (dir && !keep) rmSync(dir, { recursive: true, force: true });
  });

  it.concurrent.each(rows.map((row) => [row.id, row] as const))('%s', async (_id, row) => {
    const started = Date.now();
    const steps: string[] = [];
    const step = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
      const at = Date.now();
      const value = await action();
      steps.push(`${name} ${((Date.now() - at) / 1000).toFixed(1)}s`);
      return value;
    };
    const app = join(dir, row.id);
    for (const [path, content] of Object.entries(appFiles(row, tarballs))) {
      mkdirSync(dirname(join(app, path)), { recursive: true });
      writeFileSync(join(app, path), content);
    }

    const install = await step('install', () =>
      run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn'], app),
    );
    // Reported, not failed: Nest 12's own dependencies declare a newer Node than 20 (see the README).
    const engines = [
      ...install.stderr.matchAll(
        /EBADENGINE\s+package: '([^']+)',\s+npm warn EBADENGINE\s+required: \{ node: '([^']+)'/g,
      ),
    ].map(([, name, node]) => `${name} (node ${node})`);
    await step('build', () => bin(app, 'typescript/bin/tsc', ['-p', 'tsconfig.build.json']));
    await step('typecheck', () =>
      bin(app, 'typescript/bin/tsc', [
        '-p',
        'tsconfig.json',
        '--noEmit',
        '--incremental',
        'false',
        '--skipLibCheck',
        'false',
      ]),
    );
    await step(`e2e (${row.runner})`, () =>
      row.runner === 'jest'
        ? bin(app, 'jest/bin/jest.js', ['--config', './test/jest-e2e.json'])
        : bin(app, 'vitest/vitest.mjs', ['run', '--config', './vitest.config.e2e.ts']),
    );
    await step('node dist/main.js', () => builtAppAnswers(app, row));

    times.push(
      `  ${row.id}: ${((Date.now() - started) / 1000).toFixed(1)}s (${steps.join(', ')})${
        engines.length
          ? `\n    EBADENGINE on Node ${process.versions.node}: ${[...new Set(engines)].join(', ')}`
          : ''
      }`,
    );
  });
});

/** Starts the built app as a user runs it and sends it a Stripe-signed delivery, its duplicate and a tampered one. */
async function builtAppAnswers(app: string, row: Row): Promise<void> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: app,
    env: { ...process.env, PORT: '0', STRIPE_WEBHOOK_SECRET: STRIPE_TEST_SECRET, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`${row.id}: no "listening on" within 30 s:\n${output}`)),
        30_000,
      );
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!.replace('[::1]', '127.0.0.1'));
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.on('exit', (code) => reject(new Error(`${row.id}: the app exited (${code}):\n${output}`)));
    });
    const body = JSON.stringify({ id: 'evt_http_1', object: 'event', type: 'invoice.paid' });
    const signature = new Stripe('sk_test_x').webhooks.generateTestHeaderString({
      payload: body,
      secret: STRIPE_TEST_SECRET,
    });
    const post = async (payload: string) => {
      const response = await fetch(`${url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
      });
      return { status: response.status, body: await response.json() };
    };
    expect(await post(body)).toEqual({ status: 200, body: { received: 'evt_http_1' } });
    expect(await post(body)).toEqual({ status: 200, body: { duplicate: true } });
    expect(await post(body.replace('paid', 'void'))).toMatchObject({
      status: 401,
      body: { error: 'signature_mismatch' },
    });
    const processed = await (await fetch(`${url}/webhooks/processed`)).json();
    expect(processed).toEqual({ ids: ['evt_http_1'], refusals: ['signature_mismatch'] });
    if (row.terminus) expect((await fetch(`${url}/health`)).status).toBe(200);
  } finally {
    child.kill();
  }
}
