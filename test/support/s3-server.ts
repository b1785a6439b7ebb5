import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './redis-server.js';

/**
 * A real S3-API server, s3rver (the S3 REST protocol over HTTP with SigV4 checked, objects on disk), in
 * its own process on loopback on a free port, for the S3 archive sink. It runs with
 * `--openssl-legacy-provider`: s3rver 3.7.1 makes list continuation tokens with DES, which Node 20's
 * OpenSSL 3 keeps only there. What it cannot prove against real S3: IAM and bucket policies (it knows
 * one key pair), lifecycle rules (a bucket's retention), server-side encryption, throttling (503
 * SlowDown) and latency, listing with a delimiter below one level (s3rver returns no common prefixes
 * there; the sink does not use one), and behaviour at millions of keys.
 */
export class S3Server {
  private constructor(
    private readonly child: ChildProcess,
    private readonly directory: string,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<S3Server> {
    const directory = mkdtempSync(join(tmpdir(), 'vw-s3-'));
    const port = await freePort();
    const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
    const child = spawn(
      process.execPath,
      ['--openssl-legacy-provider', bin, '-d', directory, '-a', '127.0.0.1', '-p', String(port), '--silent'],
      { stdio: 'ignore' },
    );
    const server = new S3Server(child, directory, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`s3rver exited with ${child.exitCode}`);
      const up = await fetch(server.endpoint).then(
        () => true,
        () => false,
      );
      if (up) return server;
      if (Date.now() > deadline) {
        await server.dispose();
        throw new Error('s3rver did not start within 15 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** s3rver's one key pair (it checks the signatures made with it). */
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A client for the test server, and a new bucket on it. */
export async function s3Bucket(endpoint: string, bucket: string): Promise<S3Client> {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return client;
}
