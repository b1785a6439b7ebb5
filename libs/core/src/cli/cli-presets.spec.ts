import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { refusalAnswer } from '../http/http-answer.js';
import type { PresetName } from '../schemes/preset-registry.js';
import { resolveScheme } from '../schemes/preset-registry.js';
import { WebhookVerifier } from '../verify/webhook-verifier.js';
import { runCli } from './cli.js';

/** The second-wave presets (issue 19): `secret` and `send` must work for each, as for the others. */
const PRESETS: readonly PresetName[] = [
  'adyen',
  'buildkite',
  'cal-com',
  'checkout-com',
  'circleci',
  'customer-io',
  'dodo-payments',
  'ghost',
  'gitea',
  'gocardless',
  'heroku',
  'paystack',
  'polar',
  'pusher',
  'razorpay',
  'replicate',
  'terraform-cloud',
  'webflow',
  'xero',
];
const BODY = JSON.stringify({ id: 'evt_cli_1', type: 'thing.happened', events: [{ name: 'x' }] });
const ADYEN_BODY = JSON.stringify({
  live: 'false',
  notificationItems: [
    {
      NotificationRequestItem: {
        pspReference: '8815',
        merchantAccountCode: 'ShopMerchant',
        merchantReference: 'order-1',
        amount: { value: 2500, currency: 'EUR' },
        eventCode: 'AUTHORISATION',
        success: 'true',
      },
    },
  ],
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('verified-webhooks secret and send, for every second-wave preset', () => {
  let url = '';
  let current: { name: PresetName; secret: string } | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { name, secret } = current!;
      const verifier = new WebhookVerifier({
        scheme: resolveScheme(name),
        secrets: secret,
        replayStore: false,
      });
      verifier.receive({ headers: request.headers, rawBody: Buffer.concat(chunks), url }).then(
        () => response.writeHead(200).end('verified'),
        (error: unknown) => response.writeHead(refusalAnswer(error, name).status).end('refused'),
      );
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('--help lists every one of them', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    const schemes = out.join('\n').split('Schemes: ')[1]!.split(', ');
    for (const name of PRESETS) expect(schemes).toContain(name);
  });

  it.each(PRESETS)(
    '%s: secret prints a usable secret; send signs a delivery that verifies; --tamper is refused',
    async (name) => {
      const generated = await run('secret', '--scheme', name);
      expect(generated.code).toBe(0);
      const secret = generated.out[0]!;
      current = { name, secret };
      const body = name === 'adyen' ? ADYEN_BODY : BODY;
      const sent = await run('send', '--scheme', name, '--secret', secret, '--url', url, '--body', body);
      expect(sent).toMatchObject({ code: 0, out: ['#1: 200 verified'] });
      const tampered = await run(
        'send',
        '--scheme',
        name,
        '--secret',
        secret,
        '--url',
        url,
        '--body',
        body,
        '--tamper',
      );
      expect(tampered).toMatchObject({ code: 0, out: ['#1: 401 refused'] });
    },
  );

  it('adyen: a body that is not a notification is a mistake in the command (exit 2, one line)', async () => {
    const secret = (await run('secret', '--scheme', 'adyen')).out[0]!;
    const result = await run(
      'send',
      '--scheme',
      'adyen',
      '--secret',
      secret,
      '--url',
      url,
      '--body',
      '{"a":1}',
    );
    expect(result.code).toBe(2);
    expect(result.err).toEqual([
      expect.stringMatching(/^verified-webhooks: The adyen scheme signs inside the body/),
    ]);
  });
});
