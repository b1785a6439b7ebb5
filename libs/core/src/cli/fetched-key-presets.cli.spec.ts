import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { verifiedWebhook } from '../express/verified-webhook.middleware.js';
import { runCli } from './cli.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders';
const CLIENT_STATE = 'cli-graph-client-state-0123456789';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('the CLI and the presets whose keys are fetched', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    const app = express();
    app.post('/graph', verifiedWebhook({ scheme: 'microsoft-graph', secrets: CLIENT_STATE }), (req, res) => {
      seen.push('graph');
      res.sendStatus(202);
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graph`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('--help lists them', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/google-pubsub.*microsoft-graph.*sns/s);
  });

  it.each([
    ['sns', TOPIC, /^verified-webhooks: sns cannot be sent by this CLI: .*signSnsMessage\(\)/],
    [
      'google-pubsub',
      'push@p.iam.gserviceaccount.com',
      /^verified-webhooks: google-pubsub cannot be sent by this CLI: .*signPubSubPush\(\)/,
    ],
  ])(
    'send --scheme %s refuses with one line (exit 2): the provider holds the signing key',
    async (scheme, secret, line) => {
      const { code, err } = await run(
        'send',
        '--scheme',
        scheme,
        '--secret',
        secret,
        '--url',
        url,
        '--body',
        '{}',
      );
      expect(code).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(line);
      expect(seen).toEqual([]);
    },
  );

  it('secret --scheme sns / google-pubsub: one line saying what the "secret" is', async () => {
    const snsAnswer = await run('secret', '--scheme', 'sns');
    expect(snsAnswer.code).toBe(2);
    expect(snsAnswer.err[0]).toMatch(/ARN of a topic you accept/);
    const pubsub = await run('secret', '--scheme', 'google-pubsub');
    expect(pubsub.err[0]).toMatch(/email of the service account/);
  });

  it('microsoft-graph: secret prints a clientState, and send posts a notification that carries it', async () => {
    const secret = await run('secret', '--scheme', 'microsoft-graph');
    expect(secret.out[0]).toMatch(/^[0-9a-f]{64}$/);
    const body = JSON.stringify({
      value: [{ subscriptionId: 's', changeType: 'created', clientState: CLIENT_STATE }],
    });
    const sent = await run(
      'send',
      '--scheme',
      'microsoft-graph',
      '--secret',
      CLIENT_STATE,
      '--url',
      url,
      '--body',
      body,
    );
    expect(sent.out).toEqual(['#1: 202 Accepted']);
    const tampered = await run(
      'send',
      '--scheme',
      'microsoft-graph',
      '--secret',
      CLIENT_STATE,
      '--url',
      url,
      '--body',
      body,
      '--tamper',
    );
    // Graph signs no body (only the clientState inside it is checked): an edited body is accepted, as documented.
    expect(tampered.out[0]).toBe('#1: 202 Accepted');
    const wrong = await run(
      'send',
      '--scheme',
      'microsoft-graph',
      '--secret',
      'another-state-0123456789',
      '--url',
      url,
      '--body',
      body,
    );
    expect(wrong.code).toBe(2);
    expect(wrong.err[0]).toMatch(/clientState/);
    expect(seen).toEqual(['graph', 'graph']);
  });
});
