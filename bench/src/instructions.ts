/**
 * `npm run bench -- --instructions`: instructions per 1 KB delivery, counted by valgrind's
 * cachegrind. On a shared, noisy machine the clock moves by ±20 % between runs; this count does not
 * move with the machine's load at all, and repeats to within 0.1 %.
 *
 * Each variant's server runs under cachegrind twice, for N and for 3N deliveries; the difference
 * divided by 2N is the steady-state cost of one delivery, without startup, warm-up and shutdown.
 * Deliveries go one at a time, and V8 runs single-threaded with fixed seeds: with concurrent
 * connections the number of requests per event-loop turn, and so the count, varied by 2 % or more.
 * The count is independent of load, so two servers are counted at once.
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

const PARALLEL = 2;

export function assertValgrind(): void {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    throw new Error('--instructions needs valgrind on the PATH (Debian/Ubuntu: apt-get install valgrind)');
  }
}

/** Total instructions the server executed from start to exit, having answered `deliveries`. */
async function instructionsFor(
  variant: Variant,
  deliveries: number,
  redisUrl: string,
  before: string | undefined,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'vw-cachegrind-'));
  const outFile = join(dir, 'cachegrind.out');
  const body = jsonBody(1024);
  const pool = new DeliveryPool(body, deliveries, `cg-${process.pid}-${variant}-${deliveries}-`);
  try {
    const server = await startServer(variant, redisUrl, {
      wrapper: [
        'valgrind',
        '--quiet',
        '--tool=cachegrind',
        '--cache-sim=no',
        `--cachegrind-out-file=${outFile}`,
      ],
      // No helper threads (GC, compiler) and fixed seeds: the same work from run to run.
      nodeArgs: ['--single-threaded', '--hash-seed=1', '--random-seed=1'],
      startTimeoutMs: 300_000,
      before,
    });
    try {
      const result = await autocannon({
        url: server.url,
        connections: 1,
        amount: deliveries,
        timeout: 60,
        requests: pool.requests(),
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
  before?: string,
): Promise<InstructionCount[]> {
  await redis.flushall(); // every delivery id is distinct, so counts running side by side never meet
  const queue = [...variants];
  const counts: InstructionCount[] = [];
  const worker = async () => {
    for (let variant = queue.shift(); variant !== undefined; variant = queue.shift()) {
      const low = await instructionsFor(variant, deliveries, redisUrl, before);
      const high = await instructionsFor(variant, 3 * deliveries, redisUrl, before);
      const count = { variant, deliveries: 2 * deliveries, perDelivery: (high - low) / (2 * deliveries) };
      console.log(`  (${variant}) ${(count.perDelivery / 1000).toFixed(1)} k instructions per delivery`);
      counts.push(count);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return variants.map((variant) => counts.find((count) => count.variant === variant)!);
}
