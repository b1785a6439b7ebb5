import { execFile, execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PresetName } from '@verified-webhooks/core';
import { isWebhookVerificationError, resolveScheme, WebhookVerifier } from '@verified-webhooks/core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const corePackage = JSON.parse(readFileSync(join(root, 'libs/core/package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const BIN = join(root, 'libs/core', corePackage.bin['verified-webhooks']!);

/** The second-wave presets (issue 19, part A) whose secret the CLI generates. */
const GENERATED: readonly PresetName[] = [
  'bitbucket',
  'calendly',
  'intercom',
  'jira',
  'lemonsqueezy',
  'line',
  'meta',
  'openai',
  'sanity',
  'sentry',
  'telegram',
  'typeform',
  'vercel',
  'workos',
];

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A receiver for `/<preset>`: verifies with that preset and the secret registered for it. */
function receiver(secrets: Map<string, string>): Server {
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const name = request.url!.slice(1) as PresetName;
      const verifier = new WebhookVerifier({
        scheme: resolveScheme(name),
        secrets: secrets.get(name)!,
        replayStore: false,
      });
      verifier
        .receive({ headers: request.headers, rawBody: Buffer.concat(chunks), method: request.method })
        .then(
          (outcome) => response.writeHead(200).end(outcome.kind),
          (error: unknown) =>
            response.writeHead(isWebhookVerificationError(error) ? error.status : 500).end(String(error)),
        );
    });
  });
}

describe('verified-webhooks CLI: the second-wave presets (issue 19, part A)', () => {
  const secrets = new Map<string, string>();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'libs/core/tsconfig.lib.json'],
      {
        cwd: root,
      },
    );
    server = receiver(secrets);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('--help lists every one of them', async () => {
    const help = await cli('--help');
    const listed = /Schemes: (.*)$/m.exec(help.stdout)![1]!.split(', ');
    expect(listed).toEqual(expect.arrayContaining([...GENERATED, 'telnyx']));
  });

  it.each(GENERATED)(
    '%s: secret prints a usable secret, and send signs a delivery the preset verifies',
    async (name) => {
      const generated = await cli('secret', '--scheme', name);
      expect(generated.code).toBe(0);
      const secret = generated.stdout.trim();
      secrets.set(name, secret);
      const body = JSON.stringify({ id: `evt_${name}`, type: 'test.event', data: {} });
      const sent = await cli(
        'send',
        '--scheme',
        name,
        '--secret',
        secret,
        '--url',
        `${base}/${name}`,
        '--body',
        body,
      );
      expect(sent.stdout.trim()).toBe('#1: 200 new');
      const tampered = await cli(
        'send',
        '--scheme',
        name,
        '--secret',
        secret,
        '--url',
        `${base}/${name}`,
        '--body',
        body,
        '--tamper',
      );
      // Telegram's secret token is not a signature: by design it does not cover the body.
      expect(tampered.stdout).toMatch(name === 'telegram' ? /^#1: 200 / : /^#1: 401 /);
    },
  );

  it('telnyx: secret is refused in one line (Telnyx issues the key pair); send signs with the private key', async () => {
    const refused = await cli('secret', '--scheme', 'telnyx');
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([
      'verified-webhooks: The telnyx scheme uses keys its provider issues; there is no secret to generate.' +
        ' The telnyx public key must be the 32-byte ed25519 key in base64, as the Telnyx portal shows it.' +
        ' (verified-webhooks --help for usage)',
    ]);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16).toString('base64');
    secrets.set('telnyx', publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64'));
    const body = JSON.stringify({ data: { id: 'evt_telnyx', event_type: 'call.initiated' } });
    const sent = await cli(
      'send',
      '--scheme',
      'telnyx',
      '--secret',
      seed,
      '--url',
      `${base}/telnyx`,
      '--body',
      body,
    );
    expect(sent.stdout.trim()).toBe('#1: 200 new');
  });
});
