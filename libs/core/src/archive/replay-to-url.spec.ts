import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hmacValidator } from '@adyen/api-library';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import type { StoredDelivery } from '../durable/stored-delivery.js';
import { adyen } from '../schemes/presets/adyen.scheme.js';
import { github } from '../schemes/presets/github.scheme.js';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import type { ArchivedDelivery, ArchiveSink } from './archive-sink.interface.js';
import { replayToUrl } from './replay-to-url.js';

const PRODUCTION = 'production-secret-never-sent';
const DEV = 'development-secret-for-replay';

interface Posted {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}
const posted: Posted[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    posted.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    response.end('ok');
  });
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => void posted.splice(0));

function archiveOf(
  scheme: string,
  body: string,
  headers: Record<string, string>,
  type?: string,
): ArchiveSink {
  const delivery: StoredDelivery = {
    deliveryKey: '{d1}',
    endpoint: scheme,
    scheme,
    id: 'd1',
    type,
    signed: { id: false, timestamp: false, type: false, body: true },
    names: [],
    body: Buffer.from(body).toString('base64'),
    headers,
    receivedAt: Date.now(),
  };
  const entry: ArchivedDelivery = { deliveryId: 'd1', delivery, handlers: [], redacted: false, outcomes: {} };
  return {
    put: () => Promise.resolve(),
    recordOutcome: () => Promise.resolve(),
    list: () => Promise.resolve([entry]),
  };
}

const replay = (archive: ArchiveSink, scheme: AnyWebhookScheme) =>
  replayToUrl(archive, { id: 'd1', url, secret: DEV, schemeOf: () => scheme });

describe('replayToUrl: no archived signature or credential goes along', () => {
  it('GitHub: only the dev sha256 signature is posted, not the archived SHA-1 nor -256 ones', async () => {
    const body = JSON.stringify({ action: 'opened', number: 1 });
    const archive = archiveOf(
      'github',
      body,
      {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': 'd1',
        'x-hub-signature': 'sha1=0123456789abcdef0123456789abcdef01234567',
        'x-hub-signature-256': await octokitSign(PRODUCTION, body),
      },
      'issues',
    );
    expect(await replay(archive, github())).toEqual([{ deliveryId: 'd1', status: 200, body: 'ok' }]);
    const [request] = posted;
    expect(request!.headers['x-hub-signature']).toBeUndefined();
    expect(request!.headers['x-github-event']).toBe('issues');
    expect(request!.body).toBe(body);
    const signature = request!.headers['x-hub-signature-256'] as string;
    expect(await octokitVerify(DEV, body, signature)).toBe(true);
    expect(await octokitVerify(PRODUCTION, body, signature)).toBe(false);
  });

  it('drops any credential-looking header, whatever the scheme signs', async () => {
    const archive = archiveOf('github', '{}', {
      'x-github-event': 'ping',
      'box-signature-secondary': 'old',
      'x-custom-token': 't',
      'x-api-secret': 's',
      'x-request-digest': 'd',
      'x-verification': 'v',
      'x-auth-user': 'u',
      'x-hmac': 'h',
      'x-signing-key': 'k',
    });
    await replay(archive, github());
    const names = Object.keys(posted[0]!.headers).filter(
      (name) => name.startsWith('x-') || name.startsWith('box-'),
    );
    expect(names.sort()).toEqual(['x-github-delivery', 'x-github-event', 'x-hub-signature-256']);
  });

  it("Adyen: the items' hmacSignature is made anew with the dev key (signBody), the archived one is gone", async () => {
    const devKey = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
    const productionKey = 'AA782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA0BB';
    const item = {
      pspReference: '7914073381342284',
      originalReference: '',
      merchantAccountCode: 'ShopMerchant',
      merchantReference: 'order-1',
      amount: { value: 1130, currency: 'EUR' },
      eventCode: 'AUTHORISATION',
      eventDate: '2026-11-30T10:00:00+01:00',
      success: 'true',
      additionalData: {} as Record<string, string>,
    };
    item.additionalData.hmacSignature = new hmacValidator().calculateHmac(item as never, productionKey);
    const archived = JSON.stringify({
      live: 'false',
      notificationItems: [{ NotificationRequestItem: item }],
    });
    await replayToUrl(archiveOf('adyen', archived, { 'content-type': 'application/json' }), {
      id: 'd1',
      url,
      secret: devKey,
      schemeOf: () => adyen(),
    });
    const sent = JSON.parse(posted[0]!.body) as {
      notificationItems: { NotificationRequestItem: typeof item }[];
    };
    const sentItem = sent.notificationItems[0]!.NotificationRequestItem;
    expect(sentItem.additionalData.hmacSignature).not.toBe(item.additionalData.hmacSignature);
    expect(new hmacValidator().validateHMAC(sentItem as never, devKey)).toBe(true);
    expect(new hmacValidator().validateHMAC(sentItem as never, productionKey)).toBe(false);
  });
});
