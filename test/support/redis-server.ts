import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INSTALL_HINT =
  'redis-server is not installed: run `sudo apt-get install -y redis-server` (or brew install redis) and try again.';

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure redis-server exists: installs it with apt-get when we are root, else stops with one line. */
export function ensureRedisServer(): void {
  if (onPath('redis-server')) return;
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'ignore', env });
    } catch {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
      execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'ignore', env });
    }
    if (onPath('redis-server')) return;
  }
  throw new Error(INSTALL_HINT);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A real redis-server on loopback, owned by the test that started it. */
export class RedisServer {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'vw-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: { port?: number; args?: string[] } = {}): Promise<RedisServer> {
    ensureRedisServer();
    const server = new RedisServer(options.port ?? (await freePort()), options.args ?? []);
    await server.launch();
    return server;
  }

  /** Starts it again on the same port (after stop()), as after an outage. */
  async launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        ...this.extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
    child.stdout.resume();
    child.stderr.resume();
  }

  /** Stops the server (SIGKILL: an outage, not a clean shutdown). */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Redis Cluster of `masters` masters (no replicas) on loopback, each a real redis-server. */
export class RedisCluster {
  private constructor(readonly servers: RedisServer[]) {}

  /** `host:port,host:port` as the sample app's REDIS_CLUSTER_NODES takes it. */
  get nodes(): string {
    return this.servers.map((server) => `127.0.0.1:${server.port}`).join(',');
  }

  static async start(masters = 3): Promise<RedisCluster> {
    const servers = await Promise.all(
      Array.from({ length: masters }, () =>
        // The config file is written in the server's own --dir.
        RedisServer.start({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] }),
      ),
    );
    const cluster = new RedisCluster(servers);
    execFileSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...servers.map((server) => `127.0.0.1:${server.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { stdio: 'ignore' },
    );
    // Wait until every node agrees the cluster is ok (all slots covered).
    for (let attempt = 0; ; attempt++) {
      const states = servers.map((server) =>
        execFileSync('redis-cli', ['-p', String(server.port), 'cluster', 'info'], { encoding: 'utf8' }),
      );
      if (states.every((state) => state.includes('cluster_state:ok'))) break;
      if (attempt > 100) throw new Error('Redis Cluster did not become ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return cluster;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.dispose()));
  }
}
