/**
 * `npm run bench`: starts its own redis-server, runs each server variant (bench/src/server.ts) as a
 * child process under autocannon at 1 KB, 64 KB and 1 MiB (interleaved rounds), counts Redis
 * commands and awaited round trips per delivery, runs the verify micro-benchmark (micro.ts) and
 * prints the table and the targets, PASS or MISS. bench/README.md describes the method and flags.
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
import type { Size, Variant } from './common.js';
import { BEFORE_VARIANTS, jsonBody, median, SIZES, standardHeaders, VARIANT_NAMES } from './common.js';
import type { DurableReport } from './durable.js';
import { durableReport } from './durable.js';
import { assertValgrind, countInstructions } from './instructions.js';
import { DeliveryPool, startServer, stopServer } from './server-process.js';

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
const DURATION_S = option('--duration', quick ? 3 : 6);
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
/** `--before <worktree>`: also run (d0), (e0), the library at an older commit (README, "Before and after"). */
const BEFORE = stringOption('--before');
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
const POOL_RATE: Record<string, number> = { '1 KB': 45_000, '64 KB': 8_000, '1 MB': 600 };

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
  size: Size,
  round: number,
  pool: DeliveryPool,
  redis: Redis,
  redisUrl: string,
): Promise<Cell> {
  await redis.flushall();
  pool.rewind();
  const server = await startServer(variant, redisUrl, { before: BEFORE });
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
  for (const variant of ['b', 'c', 'e', 'q'] as const) {
    const server = await startServer(variant, redisServer.url);
    try {
      const now = Math.floor(Date.now() / 1000);
      const before = await commandStats(redis);
      for (let i = 0; i < N; i++) {
        const { status } = await post(server.url, standardHeaders(`acct-${variant}-${i}`, now, body), body);
        if (status !== (variant === 'q' ? 202 : 200))
          throw new Error(`accounting delivery answered ${status}`);
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
  // Awaited round trips: put a 200 ms reply delay between the server and Redis.
  const awaited: RedisReport['awaited'] = {};
  const delayMs = 200;
  for (const variant of ['c', 'e', 'j', 'q'] as const) {
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
  const size: Size = SIZES.find((candidate) => candidate.label === PROFILE_SIZE) ?? SIZES[0];
  const body = jsonBody(size.bytes);
  const pool = new DeliveryPool(body, POOL_RATE[size.label]! * (DURATION_S + WARMUP_S), 'prof-');
  const dir = fileURLToPath(new URL('../../profiles', import.meta.url));
  const server = await startServer(variant, redisServer.url, {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    before: BEFORE,
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
  const variants = ONLY_VARIANTS ?? ['a', 'g', 'd', 'e', 'h', 'j'];
  const deliveries = option('--deliveries', 2000);
  console.log(
    `instructions per 1 KB delivery under cachegrind: ${variants.join(', ')}; ` +
      `${deliveries} and ${3 * deliveries} deliveries per variant …`,
  );
  const counts = await countInstructions(variants, deliveries, redis, redisServer.url, BEFORE);
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
const rpsOf = (cell: Cell) => cell.rps;
/** Requests per server-CPU-second: what a ratio would be on an otherwise idle core. */
const perCpuOf = (cell: Cell) => 1 / cell.cpuUs;

/** `variant` over `other` at `size`: the ratio within each round (same conditions), then the median. */
function perRoundRatios(cells: Cell[], variant: Variant, other: Variant, size: string, of = rpsOf) {
  return cells
    .filter((cell) => cell.size === size && cell.variant === variant)
    .flatMap((cell) => {
      const peer = cells.find((c) => c.size === size && c.round === cell.round && c.variant === other);
      return peer ? [of(cell) / of(peer)] : [];
    });
}
const ratio = (cells: Cell[], variant: Variant, other: Variant, size: string, of = rpsOf) => {
  const ratios = perRoundRatios(cells, variant, other, size, of);
  return ratios.length > 0 ? median(ratios) : NaN;
};

/**
 * The round-to-round scatter of a ratio in this run: for every variant at `size`, half the range of
 * its per-round ×(a), relative to its median; the median of those. What "beyond noise" means here.
 */
function noise(cells: Cell[], size: string): number {
  const spreads = Object.keys(VARIANT_NAMES).flatMap((variant) => {
    const ratios = perRoundRatios(cells, variant as Variant, 'a', size);
    return variant === 'a' || ratios.length < 2
      ? []
      : [(Math.max(...ratios) - Math.min(...ratios)) / 2 / median(ratios)];
  });
  return spreads.length > 0 ? median(spreads) : NaN;
}

function table(cells: Cell[]): string {
  const rows = [
    '| body | variant | req/s | p50 ms | p99 ms | ×(a) | ×(c) | peak RSS MiB | server CPU µs/req | ' +
      '+ redis µs/req | ×(a) by CPU | non-2xx |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const size of SIZES) {
    for (const variant of size.variants) {
      const mine = cells.filter((c) => c.size === size.label && c.variant === variant);
      if (mine.length === 0) continue;
      const of = (pick: (cell: Cell) => number) => median(mine.map(pick));
      rows.push(
        `| ${size.label} | (${variant}) ${VARIANT_NAMES[variant]} | ${of(rpsOf).toFixed(0)} | ` +
          `${of((c) => c.p50)} | ${of((c) => c.p99)} | ${fmt(ratio(cells, variant, 'a', size.label))} | ` +
          `${fmt(ratio(cells, variant, 'c', size.label))} | ${of((c) => c.peakRssMb).toFixed(0)} | ` +
          `${of((c) => c.cpuUs).toFixed(0)} | ${of((c) => c.redisCpuUs).toFixed(0)} | ` +
          `${fmt(ratio(cells, variant, 'a', size.label, perCpuOf))} | ` +
          `${mine.reduce((sum, c) => sum + c.non2xx + c.errors, 0)} |`,
      );
    }
  }
  return rows.join('\n');
}

/** Throughput targets: `variant` ≥ `min` × `other` at `size`, by req/s. */
const THROUGHPUT_TARGETS: { variant: Variant; other: Variant; size: string; min: number }[] = [
  { variant: 'e', other: 'a', size: '1 KB', min: 0.85 },
  { variant: 'e', other: 'b', size: '1 KB', min: 1.1 },
  { variant: 'e', other: 'c', size: '1 KB', min: 0.95 },
  { variant: 'e', other: 'c', size: '64 KB', min: 0.95 },
  { variant: 'd', other: 'g', size: '1 KB', min: 0.9 },
  { variant: 'j', other: 'a', size: '1 KB', min: 1.3 },
  { variant: 'k', other: 'a', size: '1 KB', min: 0.8 },
  { variant: 'q', other: 'e', size: '1 KB', min: 0.85 },
];

function report(
  cells: Cell[],
  redisReport: RedisReport | undefined,
  micro: MicroRow[],
  durable: DurableReport | undefined,
): void {
  const out: string[] = [];
  const targets: string[] = [];
  const target = (ok: boolean, text: string) => targets.push(`${ok ? 'PASS' : 'MISS'}  ${text}`);
  // A focused run (--only, --sizes) leaves some cells out: their ratio is NaN, neither pass nor miss.
  const ratioTarget = (text: string, value: number, ok: boolean) =>
    Number.isFinite(value) ? target(ok, `${text}: ${fmt(value)}`) : targets.push(`n/a   ${text}: n/a`);
  if (cells.length > 0) {
    out.push('## Throughput (median of rounds; ratios within a round, then median)', '', table(cells), '');
    for (const { variant, other, size, min } of THROUGHPUT_TARGETS) {
      const value = ratio(cells, variant, other, size);
      ratioTarget(`(${variant}) ≥ ${fmt(min)}× (${other}) at ${size}`, value, value >= min);
    }
    const rss = ratio(cells, 'e', 'c', '1 MB', (cell) => cell.peakRssMb);
    ratioTarget('(e) peak RSS at 1 MB ≤ 1.10× (c)', rss, rss <= 1.1);
    for (const size of ['1 KB', '64 KB']) {
      const band = noise(cells, size);
      for (const [now, before] of [
        ['d', 'd0'],
        ['e', 'e0'],
      ] as const) {
        const value = ratio(cells, now, before, size);
        const byCpu = ratio(cells, now, before, size, perCpuOf);
        // One round has no noise estimate: n/a.
        ratioTarget(
          `(${now}) not slower than (${before}) beyond noise at ${size} (≥ ${fmt(1 - band)}; by CPU ${fmt(byCpu)})`,
          Number.isFinite(band) ? value : NaN,
          value >= 1 - band,
        );
      }
    }
    out.push(
      `At 1 KB: the no-op guard + interceptor floor (g) is ${fmt(ratio(cells, 'g', 'a', '1 KB'))}× (a); ` +
        `on Fastify, bare (h) is ${fmt(ratio(cells, 'h', 'a', '1 KB'))}× (a), (i) ` +
        `${fmt(ratio(cells, 'i', 'h', '1 KB'))}× (h) and (j) ${fmt(ratio(cells, 'j', 'h', '1 KB'))}× (h). ` +
        `Round-to-round noise of a ratio: ±${fmt(100 * noise(cells, '1 KB'), 1)} % at 1 KB, ` +
        `±${fmt(100 * noise(cells, '64 KB'), 1)} % at 64 KB.`,
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
    const q = redisReport.awaited.q;
    const queuedTrips = q ? Math.round((q.acceptedMs - q.rejectedMs) / q.delayMs) : NaN;
    target(
      queuedTrips <= 2,
      `(q) at most 2 awaited Redis round trips per acknowledged delivery (${queuedTrips})`,
    );
  }
  if (durable) {
    const { burst } = durable;
    const processedOverAck = burst.processedMs / burst.acknowledgedMs;
    out.push(
      '## Durable processing',
      '',
      `- Redis memory per queued 1 KB delivery (job + replay key; ${durable.memoryDeliveries} deliveries held by (q), ` +
        `no worker): ${fmt(durable.memoryBytesPerDelivery / 1024, 2)} KiB`,
      `- Burst of ${burst.deliveries} deliveries to (r), ${burst.connections} connections: all acknowledged in ` +
        `${fmt(burst.acknowledgedMs / 1000, 1)} s (${fmt(burst.deliveries / (burst.acknowledgedMs / 1000), 0)}/s), ` +
        `all processed ${fmt(burst.processedMs / 1000, 1)} s after the first request ` +
        `(${fmt(processedOverAck)}× the time to acknowledge); non-2xx ${burst.non2xx}`,
      '',
    );
    target(
      processedOverAck <= 2,
      `burst fully processed within 2× the time to acknowledge it: ${fmt(processedOverAck)}`,
    );
  }
  if (micro.length > 0) {
    out.push('## Verify micro-benchmark (µs per verify, median of repeats)', '');
    const us = (name: string, size: string) =>
      micro.find((row) => row.name === name && row.size === size)?.us ?? NaN;
    const limit = (size: string) => us('node:crypto HMAC + timingSafeEqual (limit)', size);
    out.push('| verifier | 1 KB µs | ×limit | 64 KB µs | ×limit |', '|---|---:|---:|---:|---:|');
    for (const name of new Set(micro.map((row) => row.name))) {
      const [small, large] = [us(name, '1 KB'), us(name, '64 KB')];
      out.push(
        `| ${name} | ${fmt(small)} | ${fmt(small / limit('1 KB'))} | ${fmt(large)} | ${fmt(large / limit('64 KB'))} |`,
      );
    }
    out.push('');
  }
  out.push('## Targets', '', ...targets.map((line) => `    ${line}`), '');
  out.push(`(run took ${((Date.now() - started) / 60_000).toFixed(1)} min)`);
  const text = out.join('\n');
  console.log('\n' + text);
  writeFileSync(RESULTS.replace('results.json', 'last-run.md'), text + '\n');
  writeFileSync(RESULTS, JSON.stringify({ cells, redisReport, micro }, null, 2));
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
        `${ROUNDS} round(s) × ${WARMUP_S}+${DURATION_S} s per cell, ${CONNECTIONS} connections, pipelining 1` +
        (BEFORE ? `; before: ${BEFORE}` : ''),
    );
    let micro: MicroRow[] = [];
    let redisReport: RedisReport | undefined;
    const cells: Cell[] = [];
    if (!flag('--only-micro')) {
      console.log('Redis command accounting …');
      if ((!ONLY_VARIANTS && !ONLY_SIZES) || flag('--redis-accounting')) {
        redisReport = await redisAccounting(redis, redisServer);
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const size of SIZES) {
          if (ONLY_SIZES && !ONLY_SIZES.includes(size.label)) continue;
          const body = jsonBody(size.bytes);
          const pool = new DeliveryPool(body, POOL_RATE[size.label]! * (DURATION_S + WARMUP_S), `r${round}-`);
          const variants = size.variants.filter(
            (variant: Variant) =>
              (!ONLY_VARIANTS || ONLY_VARIANTS.includes(variant)) &&
              (BEFORE !== undefined || !BEFORE_VARIANTS.includes(variant)),
          );
          // Interleave: each round starts with a different variant.
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
    let durable: DurableReport | undefined;
    if (!flag('--only-micro') && ((!ONLY_VARIANTS && !ONLY_SIZES) || flag('--durable'))) {
      console.log('durable processing: memory per queued delivery, burst …');
      durable = await durableReport(redis, redisServer, { burstDeliveries: quick ? 5_000 : 20_000 });
    }
    report(cells, redisReport, micro, durable);
  }
} finally {
  redis.disconnect();
  await redisServer.dispose();
}
