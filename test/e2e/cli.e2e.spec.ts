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

  /** A mistake: exit code 2 and one line on stderr, saying what is wrong, with no stack trace. */
  const expectMistake = (result: { code: number; stdout: string; stderr: string }, says: string) => {
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^verified-webhooks: /);
    expect(lines[0]).toContain(says);
    expect(result.stderr).not.toMatch(/\n\s+at |Error:/);
  };
  const sendWith = (...args: string[]) => cli('send', '--url', `${sample.url}/webhooks/standard`, ...args);

  it('an unknown scheme: one line listing the known ones, exit 2', async () => {
    const unknown = await cli('secret', '--scheme', 'no-such-scheme');
    expectMistake(unknown, 'Unknown webhook scheme "no-such-scheme"');
    expect(unknown.stderr).toContain('standard-webhooks');
    expectMistake(await sendWith('--scheme', 'strpie', '--secret', SECRET, '--body', '{}'), '"strpie"');
  });

  it('a short secret: one line, exit 2, nothing sent', async () => {
    const before = (await ids()).length;
    const short = await sendWith('--scheme', 'stripe', '--secret', 'whsec_short', '--body', '{"id":"evt_1"}');
    expectMistake(short, '--secret has 11 bytes; use at least 16');
    expect((await ids()).length).toBe(before);
  });

  it('a secret the scheme cannot read: one line, exit 2', async () => {
    expectMistake(
      await sendWith('--scheme', 'standard-webhooks', '--secret', 'not-whsec', '--body', '{}'),
      '--secret is not a standard-webhooks secret',
    );
  });

  it('a missing --data file: one line, exit 2', async () => {
    const missing = join(dir, 'missing.json');
    expectMistake(
      await sendWith('--scheme', 'standard-webhooks', '--secret', SECRET, '--data', missing),
      `Cannot read the --data file "${missing}": no such file.`,
    );
  });

  it('a missing option, an unknown option or command: one line, exit 2', async () => {
    expectMistake(await sendWith('--scheme', 'standard-webhooks', '--body', '{}'), '--secret is required');
    expectMistake(await cli('send', '--bogus'), "Unknown option '--bogus'");
    expectMistake(await cli('frob'), 'Unknown command "frob"');
  });

  it('an unreachable URL is not a mistake in the command: exit 1', async () => {
    // --url given twice: the last one counts.
    const unreachable = await sendWith(
      ...['--scheme', 'standard-webhooks', '--secret', SECRET, '--body', '{}'],
      ...['--url', 'http://127.0.0.1:9/webhooks'],
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^#1: could not reach http:\/\/127\.0\.0\.1:9\/webhooks: /);
  });

  it('--help prints the usage and exits 0', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 done; 1 a delivery could not be sent; 2 a mistake');
  });
});
