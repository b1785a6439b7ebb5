/**
 * `npm run bench`: starts its own redis-server, runs each server variant (bench/src/server.ts) as a
 * child process under autocannon at 1 KB, 64 KB and 1 MiB, counts Redis commands per delivery, runs
 * the verify micro-benchmark (bench/src/micro.ts) and prints the table and the target lines.
 *
 *   npm run bench                  full run (~10 min)
 *   npm run bench -- --quick       short run (~2 min), for a smoke test
 *   options: --rounds N --duration S --warmup S --skip-micro --only-micro --profile <variant> [--profile-size 64 KB]
 *            --only a,d,g --sizes "1 KB" (a focused run)
 *   npm run bench -- --instructions [--only a,g,d,e] [--deliveries 2000]
 *                                  instructions per delivery under valgrind (instructions.ts)
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { RedisServer } from '../../test/support/redis-server.js';
import type { Variant } from './common.js';
import { assertValgrind, countInstructions } from './instructions.js';
import { DeliveryPool, startServer, stopServer } from './server-process.js';
import {
  FLOOR_VARIANTS,
  jsonBody,
  median,
  SIZES,
  standardHeaders,
  VARIANT_NAMES,
  VARIANTS,
} from './common.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
/** The word after `name`, if given. */
const stringOption = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const option = (name: string, fallback: number) => {
  const value = stringOption(name);
  return value === undefined ? fallback : Number(value);
};
const quick = flag('--quick');
const ROUNDS = option('--rounds', quick ? 1 : 3);
const DURATION_S = option('--duration', quick ? 3 : 8);
const WARMUP_S = option('--warmup', quick ? 1 : 2);
const CONNECTIONS = 50;
const PROFILE_SIZE = stringOption('--profile-size');
const PROFILE = stringOption('--profile') as Variant | undefined;
/** `--only d,g` and `--sizes "1 KB"`: a focused run while working on one cell (targets need a full run). */
const listOption = (name: string) =>
  stringOption(name)
    ?.split(',')
    .map((item) => item.trim());
const ONLY_VARIANTS = listOption('--only') as Variant[] | undefined;
const ONLY_SIZES = listOption('--sizes');
const MICRO = fileURLToPath(new URL('./micro.js', import.meta.url));
const RESULTS = fileURLToPath(new URL('../../results.json', import.meta.url));

interface Cell {
  variant: Variant;
  size: string;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  peakRssMb: number;
  /** Server process CPU time (user + system) per request, µs: robust to other load on the machine. */
  cpuUs: number;
  /** redis-server CPU time per request, µs. */
  redisCpuUs: number;
  overflow: number;
}

// ---------------------------------------------------------------- measurements

/** Peak resident set of the server process so far (VmHWM), in MiB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU time (user + system) a process has used, in µs. */
function cpuTimeUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (read('used_cpu_user') + read('used_cpu_sys')) * 1e6;
}

/** Upper bounds of what the fastest variant can take per second, to size each pool. */
const POOL_RATE: Record<string, number> = { '1 KB': 16_000, '64 KB': 6_000, '1 MB': 500 };

function load(url: string, pool: DeliveryPool, seconds: number) {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    timeout: 20,
    requests: pool.requests(),
  });
}

async function measureCell(
  variant: Variant,
  size: (typeof SIZES)[number],
  round: number,
  pool: DeliveryPool,
  redis: Redis,
  redisUrl: string,
): Promise<Cell> {
  await redis.flushall();
  pool.rewind();
  const server = await startServer(variant, redisUrl);
  try {
    await load(server.url, pool, WARMUP_S);
    const pid = server.child.pid!;
    const [cpuBefore, redisBefore] = [cpuTimeUs(pid), await redisCpuUs(redis)];
    const result = await load(server.url, pool, DURATION_S);
    const [cpuAfter, redisAfter] = [cpuTimeUs(pid), await redisCpuUs(redis)];
    const total = Math.max(1, result.requests.total);
    const cell: Cell = {
      variant,
      size: size.label,
      round,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      peakRssMb: peakRssMb(pid),
      cpuUs: (cpuAfter - cpuBefore) / total,
      redisCpuUs: (redisAfter - redisBefore) / total,
      overflow: pool.overflow,
    };
    console.log(
      `  round ${round + 1} ${size.label.padEnd(5)} (${variant}) ${cell.rps.toFixed(0).padStart(6)} req/s  ` +
        `p50 ${cell.p50} ms  p99 ${cell.p99} ms  rss ${cell.peakRssMb.toFixed(0)} MiB  ` +
        `cpu ${cell.cpuUs.toFixed(0)} µs/req (+redis ${cell.redisCpuUs.toFixed(0)})` +
        (cell.non2xx || cell.errors ? `  non2xx ${cell.non2xx} errors ${cell.errors}` : '') +
        (cell.overflow ? `  (pool overflow ${cell.overflow})` : ''),
    );
    return cell;
  } finally {
    await stopServer(server);
  }
}

// ---------------------------------------------------------------- Redis command accounting

type Stats = Record<string, number>;

async function commandStats(redis: Redis): Promise<Stats> {
  const info = await redis.info('commandstats');
  const stats: Stats = {};
  for (const match of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) stats[match[1]!] = Number(match[2]);
  return stats;
}

function delta(before: Stats, after: Stats, ignore: string[] = ['info', 'config|resetstat']): Stats {
  const out: Stats = {};
  for (const [name, calls] of Object.entries(after)) {
    const diff = calls - (before[name] ?? 0);
    if (diff > 0 && !ignore.includes(name)) out[name] = diff;
  }
  return out;
}

/** Forwards to Redis, holding each reply `delayMs`: latency / delay = awaited round trips. */
function delayProxy(targetPort: number, delayMs: number): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    // Without this, Nagle holds a reply written while the previous one is unacknowledged until the
    // delayed ACK (~40 ms): (e)'s un-awaited completion and the next claim read as 1.2 round trips.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => setTimeout(() => client.writable && client.write(chunk), delayMs));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  server.on('close', () => sockets.forEach((socket) => socket.destroy()));
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

async function post(url: string, headers: Record<string, string>, body: Buffer) {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

interface RedisReport {
  perAccepted: Record<Variant, Stats>;
  rejected: Stats;
  rejectedStatus: number;
  monitor: string[];
  awaited: Record<string, { acceptedMs: number; rejectedMs: number; delayMs: number }>;
}

async function redisAccounting(redis: Redis, redisServer: RedisServer): Promise<RedisReport> {
  const body = jsonBody(1024);
  const N = 200;
  const perAccepted = {} as Record<Variant, Stats>;
  let rejected: Stats = {};
  let rejectedStatus = 0;
  let monitor: string[] = [];
  for (const variant of ['b', 'c', 'e'] as const) {
    const server = await startServer(variant, redisServer.url);
    try {
      const now = Math.floor(Date.now() / 1000);
      const before = await commandStats(redis);
      for (let i = 0; i < N; i++) {
        const { status } = await post(server.url, standardHeaders(`acct-${variant}-${i}`, now, body), body);
        if (status !== 200) throw new Error(`accounting delivery answered ${status}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 300)); // let un-awaited commands land
      const after = await commandStats(redis);
      perAccepted[variant] = Object.fromEntries(
        Object.entries(delta(before, after)).map(([name, calls]) => [name, calls / N]),
      );
      if (variant === 'e') {
        // One delivery under MONITOR: what the client sends, and what the script runs inside Redis.
        const monitorClient = await redis.monitor();
        const lines: string[] = [];
        monitorClient.on('monitor', (_time: string, argv: string[], source: string) => {
          lines.push(`${source.includes('lua') ? '  (in script) ' : ''}${argv.slice(0, 2).join(' ')} …`);
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        await post(server.url, standardHeaders(`monitor-${now}`, now, body), body);
        await new Promise((resolve) => setTimeout(resolve, 300));
        monitorClient.disconnect();
        monitor = lines;
        // A bad signature: refused before the store is touched.
        const bad = standardHeaders(`bad-${now}`, now, body);
        bad['webhook-signature'] = `v1,${Buffer.alloc(32, 1).toString('base64')}`;
        const beforeBad = await commandStats(redis);
        for (let i = 0; i < 50; i++) rejectedStatus = (await post(server.url, bad, body)).status;
        await new Promise((resolve) => setTimeout(resolve, 300));
        rejected = delta(beforeBad, await commandStats(redis));
      }
    } finally {
      await stopServer(server);
    }
  }
  // Awaited round trips: put a 50 ms reply delay between the server and Redis.
  const awaited: RedisReport['awaited'] = {};
  const delayMs = 200;
  for (const variant of ['c', 'e'] as const) {
    const proxy = await delayProxy(redisServer.port, delayMs);
    const server = await startServer(variant, `redis://127.0.0.1:${proxy.port}`);
    try {
      const now = Math.floor(Date.now() / 1000);
      const accepted: number[] = [];
      const refused: number[] = [];
      for (let i = 0; i < 9; i++) {
        accepted.push(
          (await post(server.url, standardHeaders(`slow-${variant}-${now}-${i}`, now, body), body)).ms,
        );
        const bad = standardHeaders(`slow-bad-${now}-${i}`, now, body);
        bad['webhook-signature'] = `v1,${Buffer.alloc(32, 1).toString('base64')}`;
        refused.push((await post(server.url, bad, body)).ms);
      }
      awaited[variant] = { acceptedMs: median(accepted), rejectedMs: median(refused), delayMs };
    } finally {
      await stopServer(server);
      proxy.server.close();
    }
  }
  return { perAccepted, rejected, rejectedStatus, monitor, awaited };
}

// ---------------------------------------------------------------- micro-benchmark

interface MicroRow {
  name: string;
  size: string;
  us: number;
}

async function runMicro(): Promise<MicroRow[]> {
  const child = spawn(process.execPath, [MICRO, ...(quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const last = output.trim().split('\n').at(-1) ?? '[]';
  return JSON.parse(last) as MicroRow[];
}

// ---------------------------------------------------------------- profile mode

async function profile(variant: Variant, redisServer: RedisServer): Promise<void> {
  const size = SIZES.find((candidate) => candidate.label === PROFILE_SIZE) ?? SIZES[0];
  const body = jsonBody(size.bytes);
  const pool = new DeliveryPool(body, POOL_RATE[size.label]! * (DURATION_S + WARMUP_S), 'prof-');
  const dir = fileURLToPath(new URL('../../profiles', import.meta.url));
  const server = await startServer(variant, redisServer.url, {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  try {
    const result = await load(server.url, pool, DURATION_S);
    console.log(`profile ${variant}: ${result.requests.average.toFixed(0)} req/s; .cpuprofile in ${dir}`);
  } finally {
    await stopServer(server);
  }
}

// ---------------------------------------------------------------- instruction-count mode

async function instructions(redisServer: RedisServer): Promise<void> {
  assertValgrind();
  const variants = ONLY_VARIANTS ?? ['a', 'f', 'g', 'd', 'e'];
  const deliveries = option('--deliveries', 2000);
  console.log(
    `instructions per 1 KB delivery under cachegrind: ${variants.join(', ')}; ` +
      `${deliveries} and ${3 * deliveries} deliveries per variant …`,
  );
  const counts = await countInstructions(variants, deliveries, redis, redisServer.url);
  const of = (variant: Variant) => counts.find((count) => count.variant === variant)?.perDelivery ?? NaN;
  const lines = [
    `## Instructions per 1 KB delivery (cachegrind, ${new Date().toISOString()}, node ${process.version})`,
    '',
    '| variant | k instructions per delivery | ×(a) | over (g) k |',
    '|---|---:|---:|---:|',
    ...counts.map(
      ({ variant, perDelivery }) =>
        `| (${variant}) ${VARIANT_NAMES[variant]} | ${fmt(perDelivery / 1000, 0)} | ` +
        `${fmt(perDelivery / of('a'))} | ${fmt((perDelivery - of('g')) / 1000, 0)} |`,
    ),
    '',
    `(${counts[0]?.deliveries ?? 0} deliveries per variant counted; run took ${((Date.now() - started) / 60_000).toFixed(1)} min)`,
  ];
  console.log('\n' + lines.join('\n'));
  writeFileSync(RESULTS.replace('results.json', 'instructions.md'), lines.join('\n') + '\n');
}

// ---------------------------------------------------------------- report

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function summarise(cells: Cell[]) {
  const rows: string[] = [];
  const ratios: Record<string, { toA: number; toB: number; cpuToA: number }> = {};
  rows.push(
    '| body | variant | req/s | p50 ms | p99 ms | ×(a) | ×(b) | peak RSS MiB | server CPU µs/req | ' +
      '+ redis µs/req | ×(a) by CPU | non-2xx |',
  );
  rows.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of SIZES) {
    for (const variant of [...VARIANTS, ...FLOOR_VARIANTS]) {
      const mine = cells.filter((c) => c.size === size.label && c.variant === variant);
      if (mine.length === 0) continue;
      // Ratios are taken within a round (same conditions), then the median over rounds.
      const ratioTo = (other: Variant, of: (cell: Cell) => number = (cell) => cell.rps) =>
        median(
          mine.map((cell) => {
            const peer = cells.find(
              (c) => c.size === size.label && c.round === cell.round && c.variant === other,
            );
            return peer ? of(cell) / of(peer) : NaN;
          }),
        );
      const toA = ratioTo('a');
      const toB = ratioTo('b');
      const rss = median(mine.map((c) => c.peakRssMb));
      // Requests per CPU-second relative to (a): what the ratio would be on an otherwise idle core.
      const cpuToA = ratioTo('a', (cell) => 1 / cell.cpuUs);
      ratios[`${variant}@${size.label}`] = { toA, toB, cpuToA };
      rows.push(
        `| ${size.label} | (${variant}) ${VARIANT_NAMES[variant]} | ${median(mine.map((c) => c.rps)).toFixed(0)} | ` +
          `${median(mine.map((c) => c.p50))} | ${median(mine.map((c) => c.p99))} | ${fmt(toA)} | ${fmt(toB)} | ` +
          `${rss.toFixed(0)} | ${median(mine.map((c) => c.cpuUs)).toFixed(0)} | ` +
          `${median(mine.map((c) => c.redisCpuUs)).toFixed(0)} | ${fmt(cpuToA)} | ` +
          `${mine.reduce((sum, c) => sum + c.non2xx + c.errors, 0)} |`,
      );
    }
  }
  return { table: rows.join('\n'), ratios };
}

function rssRatio(cells: Cell[], variant: Variant, size: string): number {
  return median(
    cells
      .filter((c) => c.size === size && c.variant === variant)
      .map((cell) => {
        const base = cells.find((c) => c.size === size && c.round === cell.round && c.variant === 'a');
        return base ? cell.peakRssMb / base.peakRssMb : NaN;
      }),
  );
}

// ---------------------------------------------------------------- main

const redisServer = await RedisServer.start();
const redis = new Redis(redisServer.url);
const started = Date.now();
try {
  if (PROFILE) {
    await profile(PROFILE, redisServer);
  } else if (flag('--instructions')) {
    await instructions(redisServer);
  } else {
    console.log(
      `verified-webhooks bench: ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs ` +
        `(${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
        `${ROUNDS} round(s) × ${WARMUP_S}+${DURATION_S} s per cell, ${CONNECTIONS} connections, pipelining 1`,
    );
    let micro: MicroRow[] = [];
    let redisReport: RedisReport | undefined;
    const cells: Cell[] = [];
    if (!flag('--only-micro')) {
      console.log('Redis command accounting …');
      if (!ONLY_VARIANTS && !ONLY_SIZES) redisReport = await redisAccounting(redis, redisServer);
      for (let round = 0; round < ROUNDS; round++) {
        for (const size of SIZES) {
          if (ONLY_SIZES && !ONLY_SIZES.includes(size.label)) continue;
          const body = jsonBody(size.bytes);
          const pool = new DeliveryPool(body, POOL_RATE[size.label]! * (DURATION_S + WARMUP_S), `r${round}-`);
          // Interleave: each round starts with a different variant.
          const variants: readonly Variant[] = (
            size.label === '1 KB' ? [...VARIANTS, ...FLOOR_VARIANTS] : VARIANTS
          ).filter((variant) => !ONLY_VARIANTS || ONLY_VARIANTS.includes(variant));
          const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
          for (const variant of order) {
            cells.push(await measureCell(variant, size, round, pool, redis, redisServer.url));
          }
        }
      }
    }
    if (!flag('--skip-micro')) {
      console.log('verify micro-benchmark …');
      micro = await runMicro();
    }
    report(cells, redisReport, micro);
  }
} finally {
  redis.disconnect();
  await redisServer.dispose();
}

function report(cells: Cell[], redisReport: RedisReport | undefined, micro: MicroRow[]): void {
  const out: string[] = [];
  const targets: string[] = [];
  const target = (ok: boolean, text: string) => targets.push(`${ok ? 'PASS' : 'MISS'}  ${text}`);
  // A focused run (--only, --sizes) leaves some cells out: their ratio is NaN, neither pass nor miss.
  const ratioTarget = (text: string, ratio: number, ok: (ratio: number) => boolean) =>
    Number.isFinite(ratio) ? target(ok(ratio), `${text}: ${fmt(ratio)}`) : targets.push(`n/a   ${text}: n/a`);
  if (cells.length > 0) {
    const { table, ratios } = summarise(cells);
    out.push('## Throughput (median of rounds; ratios within a round, then median)', '', table, '');
    const r = (key: string) => ratios[key] ?? { toA: NaN, toB: NaN, cpuToA: NaN };
    ratioTarget('(d) ≥ 0.95× (a) at 1 KB', r('d@1 KB').toA, (ratio) => ratio >= 0.95);
    ratioTarget('(e) ≥ 0.85× (a) at 1 KB', r('e@1 KB').toA, (ratio) => ratio >= 0.85);
    ratioTarget('(e) ≥ 1.15× (b) at 1 KB', r('e@1 KB').toB, (ratio) => ratio >= 1.15);
    ratioTarget('(e) ≥ 0.70× (a) at 64 KB', r('e@64 KB').toA, (ratio) => ratio >= 0.7);
    for (const variant of ['d', 'e'] as const) {
      const rss = rssRatio(cells, variant, '1 MB');
      ratioTarget(`(${variant}) peak RSS at 1 MB ≤ 1.2× (a)`, rss, (ratio) => ratio <= 1.2);
    }
    out.push(
      `Nest's floor at 1 KB, before any work: a no-op guard ${fmt(r('f@1 KB').toA)}× (a), a no-op guard + ` +
        `no-op interceptor ${fmt(r('g@1 KB').toA)}× (a) (by CPU: ${fmt(r('g@1 KB').cpuToA)}×). (d) reached ` +
        `${fmt(r('d@1 KB').toA)}× (a), ${fmt(r('d@1 KB').toA / r('g@1 KB').toA)}× that floor.`,
      '',
    );
  }
  if (redisReport) {
    out.push('## Redis commands per accepted delivery (INFO commandstats deltas / 200 deliveries)', '');
    out.push('| variant | commands (script-internal ones included, as Redis counts them) |', '|---|---|');
    for (const [variant, stats] of Object.entries(redisReport.perAccepted)) {
      const text = Object.entries(stats)
        .map(([name, calls]) => `${name} ${fmt(calls)}`)
        .join(', ');
      out.push(`| (${variant}) | ${text} |`);
    }
    out.push('', '(e) one accepted delivery under MONITOR:', '```', ...redisReport.monitor, '```');
    const rejectedCalls = Object.values(redisReport.rejected).reduce((sum, n) => sum + n, 0);
    out.push(
      `(e) 50 bad-signature deliveries: HTTP ${redisReport.rejectedStatus}, Redis commands: ${rejectedCalls}`,
      '',
    );
    out.push(
      'Awaited round trips, with each Redis reply held 200 ms by a proxy (median of 9; (accepted − rejected) / delay):',
      '',
    );
    for (const [variant, a] of Object.entries(redisReport.awaited)) {
      out.push(
        `- (${variant}) accepted ${fmt(a.acceptedMs, 1)} ms, rejected ${fmt(a.rejectedMs, 1)} ms → ` +
          `${fmt((a.acceptedMs - a.rejectedMs) / a.delayMs, 2)} awaited round trips per accepted delivery`,
      );
    }
    out.push('');
    const e = redisReport.awaited.e;
    const trips = e ? Math.round((e.acceptedMs - e.rejectedMs) / e.delayMs) : NaN;
    // A rejected delivery answered well under one delay sent nothing it waited for.
    const rejectedTrips = e ? Math.floor(e.rejectedMs / e.delayMs) : NaN;
    target(
      trips === 1 && rejectedTrips === 0 && rejectedCalls === 0,
      `one awaited Redis round trip per accepted delivery (${trips}), none for a rejected one ` +
        `(${rejectedTrips} awaited, ${rejectedCalls} commands)`,
    );
  }
  if (micro.length > 0) {
    out.push('## Verify micro-benchmark (µs per verify, median of repeats)', '');
    const names = [...new Set(micro.map((row) => row.name))];
    const us = (name: string, size: string) =>
      micro.find((row) => row.name === name && row.size === size)?.us;
    const limit = (size: string) => us('node:crypto HMAC + timingSafeEqual (limit)', size) ?? NaN;
    out.push('| verifier | 1 KB µs | ×limit | 64 KB µs | ×limit |', '|---|---:|---:|---:|---:|');
    for (const name of names) {
      const cells1 = us(name, '1 KB') ?? NaN;
      const cells64 = us(name, '64 KB') ?? NaN;
      out.push(
        `| ${name} | ${fmt(cells1)} | ${fmt(cells1 / limit('1 KB'))} | ${fmt(cells64)} | ${fmt(cells64 / limit('64 KB'))} |`,
      );
    }
    out.push('');
    for (const size of ['1 KB', '64 KB']) {
      const ours = us('ours: standardWebhooks() parse + verify', size) ?? NaN;
      target(
        ours / limit(size) <= 1.5,
        `our Standard Webhooks verify ≤ 1.5× node:crypto at ${size}: ${fmt(ours / limit(size))}`,
      );
    }
  }
  out.push('## Targets', '', ...targets.map((line) => `    ${line}`), '');
  out.push(`(run took ${((Date.now() - started) / 60_000).toFixed(1)} min)`);
  const text = out.join('\n');
  console.log('\n' + text);
  writeFileSync(RESULTS.replace('results.json', 'last-run.md'), text + '\n');
  writeFileSync(RESULTS, JSON.stringify({ cells, redisReport, micro }, null, 2));
}
