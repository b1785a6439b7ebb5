/**
 * A server under test (bench/src/server.ts) as a child process, and the pre-signed deliveries sent
 * to it. Shared by the load runs (run.ts) and the instruction counts (instructions.ts).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import { freePort } from '../../test/support/redis-server.js';
import type { Variant } from './common.js';
import { BEFORE_VARIANTS, standardHeaders } from './common.js';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));
/** The same bench server, compiled in a worktree of the older commit against its own library build. */
const serverIn = (tree: string) => join(tree, 'bench/dist/bench/src/server.js');

/** The script and variant to run: (d0) is the older tree's (d), (e0) its (e). */
function serverFor(variant: Variant, before: string | undefined): [string, string] {
  if (!BEFORE_VARIANTS.includes(variant)) return [SERVER, variant];
  if (before === undefined || !existsSync(serverIn(before))) {
    throw new Error(`(${variant}) needs --before <tree> with ${serverIn(before ?? '<tree>')} built`);
  }
  return [serverIn(before), variant.slice(0, 1)];
}

export interface RunningServer {
  child: ChildProcess;
  port: number;
  url: string;
}

export interface StartOptions {
  /** Node flags (`--cpu-prof`, …). */
  nodeArgs?: string[];
  /** A command that runs Node (`valgrind --tool=cachegrind …`). */
  wrapper?: string[];
  /** How long the server may take to print READY. */
  startTimeoutMs?: number;
  /** The worktree (d0) and (e0) run from (`--before`). */
  before?: string | undefined;
}

export async function startServer(
  variant: Variant,
  redisUrl: string,
  { nodeArgs = [], wrapper = [], startTimeoutMs = 30_000, before }: StartOptions = {},
): Promise<RunningServer> {
  const port = await freePort();
  const [script, argument] = serverFor(variant, before);
  const [command, ...args] = [...wrapper, process.execPath, ...nodeArgs, script, argument, String(port)];
  const child = spawn(command, args, {
    env: { ...process.env, REDIS_URL: redisUrl, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`server ${variant} did not start: ${output}`)),
      startTimeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server ${variant} exited with ${code}: ${output}`)));
  });
  child.stdout.resume();
  const path = variant === 'k' ? '/webhooks/standard' : '/webhook';
  return { child, port, url: `http://127.0.0.1:${port}${path}` };
}

/** SIGTERM (the server closes the app and exits), SIGKILL if it has not exited after `graceMs`. */
export async function stopServer(server: RunningServer, graceMs = 5_000): Promise<void> {
  if (server.child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.child.kill('SIGTERM');
  });
}

/** Pre-signed, distinct deliveries of one body; signing is done before the clock starts. */
export class DeliveryPool {
  private readonly headers: Record<string, string>[] = [];
  private next = 0;
  overflow = 0;

  constructor(
    private readonly body: Buffer,
    count: number,
    private readonly prefix: string,
  ) {
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < count; i++) this.headers.push(standardHeaders(`${prefix}${i}`, now, body));
  }

  /** Starts over for a new server: its replay state is empty (Redis is flushed between cells). */
  rewind(): void {
    this.next = 0;
    this.overflow = 0;
  }

  /** autocannon's `requests`: each request takes the next delivery. */
  requests(): autocannon.Request[] {
    return [
      {
        method: 'POST',
        setupRequest: (request) => {
          request.headers = this.take();
          request.body = this.body;
          return request;
        },
      },
    ];
  }

  take(): Record<string, string> {
    const index = this.next++;
    if (index < this.headers.length) return this.headers[index]!;
    // The pool ran dry: sign on the load generator (counted and reported; size the pool up).
    this.overflow++;
    return standardHeaders(`${this.prefix}x${index}`, Math.floor(Date.now() / 1000), this.body);
  }
}
