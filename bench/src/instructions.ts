/**
 * `npm run bench -- --instructions`: instructions per 1 KB delivery, counted by valgrind's
 * cachegrind. On a shared, noisy machine the clock moves by ±20 % between runs; the instruction count
 * moves by about 1 %, so it resolves changes of a few microseconds that a load run cannot.
 *
 * Each variant's server runs under cachegrind twice, for N and for 3N deliveries; the difference
 * divided by 2N is the steady-state cost of one delivery, without startup, warm-up and shutdown.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Redis } from 'ioredis';
import type { Variant } from './common.js';
import { jsonBody } from './common.js';
import { DeliveryPool, startServer, stopServer } from './server-process.js';

export interface InstructionCount {
  variant: Variant;
  deliveries: number;
  /** Instructions per delivery between the two runs. */
  perDelivery: number;
}

const CONNECTIONS = 10;

export function assertValgrind(): void {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    throw new Error('--instructions needs valgrind on the PATH (Debian/Ubuntu: apt-get install valgrind)');
  }
}

/** Total instructions the server executed from start to exit, having answered `deliveries`. */
async function instructionsFor(
  variant: Variant,
  deliveries: number,
  redis: Redis,
  redisUrl: string,
): Promise<number> {
  await redis.flushall();
  const dir = mkdtempSync(join(tmpdir(), 'vw-cachegrind-'));
  const outFile = join(dir, 'cachegrind.out');
  const body = jsonBody(1024);
  const pool = new DeliveryPool(body, deliveries, `cg-${variant}-${deliveries}-`);
  try {
    const server = await startServer(variant, redisUrl, {
      wrapper: [
        'valgrind',
        '--quiet',
        '--tool=cachegrind',
        '--cache-sim=no',
        `--cachegrind-out-file=${outFile}`,
      ],
      // One GC thread: helper threads would be scheduled differently from run to run under valgrind.
      nodeArgs: ['--single-threaded-gc'],
      startTimeoutMs: 300_000,
    });
    try {
      const result = await autocannon({
        url: server.url,
        connections: CONNECTIONS,
        amount: deliveries,
        timeout: 60,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              request.headers = pool.take();
              request.body = body;
              return request;
            },
          },
        ],
      });
      const failed = result.non2xx + result.errors + result.timeouts;
      if (failed > 0) throw new Error(`(${variant}) ${failed} of ${deliveries} deliveries failed`);
    } finally {
      await stopServer(server, 120_000);
    }
    const summary = /^summary:\s+(\d+)/m.exec(readFileSync(outFile, 'utf8'));
    if (!summary) throw new Error(`(${variant}) cachegrind wrote no summary`);
    return Number(summary[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function countInstructions(
  variants: readonly Variant[],
  deliveries: number,
  redis: Redis,
  redisUrl: string,
): Promise<InstructionCount[]> {
  const counts: InstructionCount[] = [];
  for (const variant of variants) {
    const low = await instructionsFor(variant, deliveries, redis, redisUrl);
    const high = await instructionsFor(variant, 3 * deliveries, redis, redisUrl);
    const count = { variant, deliveries: 2 * deliveries, perDelivery: (high - low) / (2 * deliveries) };
    console.log(`  (${variant}) ${(count.perDelivery / 1000).toFixed(0)} k instructions per delivery`);
    counts.push(count);
  }
  return counts;
}
