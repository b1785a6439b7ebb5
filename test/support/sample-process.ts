import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server.js';

const MAIN = fileURLToPath(new URL('../../sample-app/dist/main.js', import.meta.url));

/** The built sample app (`node sample-app/dist/main.js`) in a child process, as a user runs it. */
export class SampleProcess {
  /** Every line it wrote to stdout and stderr. */
  readonly output: string[] = [];
  private exited: Promise<void>;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** True while the process runs (it did not crash). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get exitInfo(): string {
    return `exit code ${this.child.exitCode}, signal ${this.child.signalCode}`;
  }

  static async start(env: Record<string, string>): Promise<SampleProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const sample = new SampleProcess(port, child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sample app did not start:\n${sample.output.join('\n')}`)),
        20_000,
      );
      const onLine = (line: string) => {
        if (line.includes('Listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      const collect = (stream: NodeJS.ReadableStream) => {
        let rest = '';
        stream.on('data', (chunk: Buffer) => {
          const lines = (rest + chunk.toString('utf8')).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) {
            sample.output.push(line);
            onLine(line);
          }
        });
        stream.on('end', () => {
          if (rest) sample.output.push(rest);
        });
      };
      collect(child.stdout);
      collect(child.stderr);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sample app exited with ${code}:\n${sample.output.join('\n')}`));
      });
    });
    return sample;
  }

  /** Resident set size of the process in bytes (Linux /proc). */
  async rss(): Promise<number> {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    return kb ? Number(kb[1]) * 1024 : 0;
  }

  /** Kills it without a chance to clean up, as a crash or an OOM kill would. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) this.child.kill(signal);
    await this.exited;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }
}
