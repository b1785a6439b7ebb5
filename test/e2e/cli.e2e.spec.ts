import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import request from 'supertest';
import { standardWebhooks } from '@verified-webhooks/core';
import type { RunningSampleApp } from '../support/sample-app.js';
import { startSampleApp } from '../support/sample-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const corePackage = JSON.parse(readFileSync(join(root, 'libs/core/package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const BIN = join(root, 'libs/core', corePackage.bin['verified-webhooks']!);
const SECRET = 'whsec_' + Buffer.alloc(32, 61).toString('base64');

/** Runs the built `verified-webhooks` bin; resolves with its exit code and output. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('verified-webhooks CLI (the built bin) against the sample app', () => {
  let sample: RunningSampleApp;
  let dir: string;
  let data: string;
  const ids = async () =>
    ((await request(sample.url).get('/events')).body as { id: string }[]).map((e) => e.id);

  beforeAll(async () => {
    // The bin is the built file: bring core's build up to date (a no-op after `npm run build`).
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'libs/core/tsconfig.lib.json'],
      {
        cwd: root,
      },
    );
    sample = await startSampleApp({ STANDARD_WEBHOOK_SECRET: SECRET });
    dir = mkdtempSync(join(tmpdir(), 'vw-cli-'));
    data = join(dir, 'event.json');
    writeFileSync(data, JSON.stringify({ type: 'invoice.paid', data: { amount: 42 } }));
  });
  afterAll(async () => {
    await sample.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (...extra: string[]) =>
    cli(
      'send',
      '--scheme',
      'standard-webhooks',
      '--secret',
      SECRET,
      '--url',
      `${sample.url}/webhooks/standard`,
      '--data',
      data,
      ...extra,
    );

  it('is an executable node script', () => {
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('signs and sends a delivery; --repeat shows the duplicate answer; processed once', async () => {
    const { code, stdout } = await send('--repeat', '3');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const id = /^#1: 200 \{"received":"(msg_[^"]+)"\}$/.exec(lines[0]!)?.[1];
    expect(id).toBeDefined();
    expect(lines[1]).toBe('#2: 200 {"duplicate":true}');
    expect(lines[2]).toBe('#3: 200 {"duplicate":true}');
    expect((await ids()).filter((each) => each === id)).toHaveLength(1);
  });

  it('--tamper changes the body after signing and gets 401', async () => {
    const before = (await ids()).length;
    const { code, stdout } = await send('--tamper');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^#1: 401 .*"error":"signature_mismatch"/);
    expect((await ids()).length).toBe(before);
  });

  it('--header adds or overrides headers after signing', async () => {
    const { stdout } = await send('--header', 'webhook-id: msg_forged');
    expect(stdout).toMatch(/^#1: 401 .*signature_mismatch/);
  });

  it('signs with the secret it was given: a wrong one is refused', async () => {
    const other = 'whsec_' + Buffer.alloc(32, 62).toString('base64');
    const { stdout } = await cli(
      'send',
      '--scheme',
      'standard-webhooks',
      '--secret',
      other,
      '--url',
      `${sample.url}/webhooks/standard`,
      '--body',
      '{"type":"x"}',
    );
    expect(stdout).toMatch(/^#1: 401 /);
  });

  it('secret prints a strong secret in the scheme format, new each time', async () => {
    const first = await cli('secret', '--scheme', 'standard-webhooks');
    const second = await cli('secret', '--scheme', 'standard-webhooks');
    expect(first.code).toBe(0);
    const secret = first.stdout.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(second.stdout.trim()).not.toBe(secret);
    expect(() => standardWebhooks().importKey(secret)).not.toThrow();
  });

  it('exits 1 with the usage and the known schemes on an unknown scheme or a missing option', async () => {
    const unknown = await cli('secret', '--scheme', 'no-such-scheme');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown webhook scheme "no-such-scheme"');
    expect(unknown.stderr).toContain('standard-webhooks');
    const missing = await cli('send', '--scheme', 'standard-webhooks', '--url', sample.url, '--body', '{}');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--secret is required');
  });
});
