import https from 'node:https';
import MessageValidator from 'sns-validator';
import type { TestSigningKey } from '../../../../../test/support/test-key-server.js';
import { TestKeyServer } from '../../../../../test/support/test-key-server.js';
import { refusalAnswer } from '../../http/http-answer.js';
import type { KeyFetcher } from '../../keys/key-fetcher.js';
import { signSnsMessage } from '../../testing/fetched-key-signers.js';
import { deliver, reasonOf, replyOf, secondDeliveryKind, eventOf } from '../../testing/scheme-testing.js';
import { WebhookVerifier } from '../../verify/webhook-verifier.js';
import type { SnsMessage } from './sns.scheme.js';
import { sns } from './sns.scheme.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders';
const OTHER_TOPIC = 'arn:aws:sns:us-east-1:123456789012:other';
const CERT_PATH = `/SimpleNotificationService-${'0123456789abcdef'.repeat(2)}.pem`;
const CERT_URL = `https://sns.us-east-1.amazonaws.com${CERT_PATH}`;

let server: TestKeyServer;
let key: TestSigningKey;
let otherKey: TestSigningKey;
let fetcher: KeyFetcher;

beforeAll(async () => {
  server = await TestKeyServer.start();
  key = server.signingKey();
  otherKey = server.signingKey();
  server.route(CERT_PATH, { body: key.certificatePem });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  fetcher = server.fetcher();
});

const signed = (overrides: Partial<Parameters<typeof signSnsMessage>[0]> = {}) =>
  signSnsMessage({
    privateKey: key.privateKey,
    certUrl: CERT_URL,
    topicArn: TOPIC,
    message: '{"order":1}',
    ...overrides,
  });

/** AWS's validator (`sns-validator`), its https.get routed to the test server for the real SNS host. */
async function awsValidates(body: string): Promise<true | string> {
  const original = https.globalAgent;
  const agent = new https.Agent({ ca: server.ca });
  const connect = agent.createConnection.bind(agent) as (options: object, callback?: unknown) => unknown;
  (agent as unknown as { createConnection: unknown }).createConnection = (
    options: object,
    callback?: unknown,
  ) => connect({ ...options, host: '127.0.0.1', port: server.port }, callback);
  https.globalAgent = agent;
  try {
    return await new Promise((resolve) =>
      new MessageValidator().validate(body, (error: Error | null) => resolve(error ? error.message : true)),
    );
  } finally {
    https.globalAgent = original;
    agent.destroy();
  }
}

/** A base64 text with the lowest unused bit of its last character set (it decodes to the same bytes). */
function nonCanonical(base64: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const body = base64.replace(/=+$/, '');
  const changed = body.slice(0, -1) + alphabet[alphabet.indexOf(body.at(-1)!) ^ 1];
  expect(Buffer.from(changed, 'base64')).toEqual(Buffer.from(base64, 'base64'));
  return changed.padEnd(base64.length, '=');
}

describe('sns', () => {
  describe("proof: AWS's sns-validator accepts what we sign, and we accept the same bytes", () => {
    it.each([
      ['1', 'Notification'],
      ['2', 'Notification'],
      ['1', 'SubscriptionConfirmation'],
      ['2', 'SubscriptionConfirmation'],
    ] as const)('SignatureVersion %s, %s', async (signatureVersion, type) => {
      const { headers, body } = signed({
        signatureVersion,
        type,
        subject: type === 'Notification' ? 'hello' : undefined,
      });
      expect(await awsValidates(body)).toBe(true);
      const outcome = await deliver(sns({ keys: fetcher }), headers, body, { secrets: TOPIC });
      expect(outcome.kind).toBe('new');
    });

    it('a tampered Message is refused by both', async () => {
      const { headers, body } = signed();
      const tampered = body.replace('{\\"order\\":1}', '{\\"order\\":2}');
      expect(tampered).not.toBe(body);
      expect(await awsValidates(tampered)).toBe('The message signature is invalid.');
      expect(await reasonOf(deliver(sns({ keys: fetcher }), headers, tampered, { secrets: TOPIC }))).toBe(
        'signature_mismatch',
      );
    });
  });

  it('the event: MessageId as id, Type as type, Timestamp, the JSON payload (SNS sends text/plain)', async () => {
    const { headers, body } = signed({
      messageId: 'a1b2c3d4-0000-4000-8000-000000000001',
      timestamp: 1_800_000_000_000,
    });
    const event = eventOf(
      await deliver(sns({ keys: fetcher }), headers, body, { secrets: TOPIC, now: 1_800_000_000_000 }),
    );
    expect(event.id).toBe('a1b2c3d4-0000-4000-8000-000000000001');
    expect(event.type).toBe('Notification');
    expect(event.timestamp?.getTime()).toBe(1_800_000_000_000);
    expect((event.payload as { Message: string }).Message).toBe('{"order":1}');
    expect(event.signed).toEqual({ id: true, type: true, timestamp: true, body: false });
  });

  it('UnsubscribeConfirmation signs the Token and SubscribeURL (AWS docs), and reaches handlers without a hook', async () => {
    const { headers, body } = signed({ type: 'UnsubscribeConfirmation' });
    expect(eventOf(await deliver(sns({ keys: fetcher }), headers, body, { secrets: TOPIC })).type).toBe(
      'UnsubscribeConfirmation',
    );
    const seen: SnsMessage[] = [];
    const scheme = sns({ keys: fetcher, onUnsubscribeConfirmation: (message) => void seen.push(message) });
    expect(replyOf(await deliver(scheme, headers, body, { secrets: TOPIC })).status).toBe(200);
    expect(seen.map((message) => message.Type)).toEqual(['UnsubscribeConfirmation']);
  });

  describe('refusals', () => {
    it('a key other than the certificate’s: signature_mismatch', async () => {
      const { headers, body } = signed({ privateKey: otherKey.privateKey });
      expect(await reasonOf(deliver(sns({ keys: fetcher }), headers, body, { secrets: TOPIC }))).toBe(
        'signature_mismatch',
      );
    });

    it('rotation: any of the accepted topics; a topic not listed is refused without a fetch', async () => {
      const { headers, body } = signed();
      expect(
        (await deliver(sns({ keys: fetcher }), headers, body, { secrets: [OTHER_TOPIC, TOPIC] })).kind,
      ).toBe('new');
      server.reset();
      expect(
        await reasonOf(deliver(sns({ keys: server.fetcher() }), headers, body, { secrets: OTHER_TOPIC })),
      ).toBe('signature_mismatch');
      expect(server.requests).toEqual([]);
    });

    it('stale and future Timestamps are refused before any fetch', async () => {
      const now = Date.now();
      for (const [offset, reason] of [
        [-66 * 60_000, 'timestamp_expired'],
        [66 * 60_000, 'timestamp_in_future'],
      ] as const) {
        const { headers, body } = signed({ timestamp: now + offset });
        expect(await reasonOf(deliver(sns({ keys: fetcher }), headers, body, { secrets: TOPIC, now }))).toBe(
          reason,
        );
      }
      expect(server.requests).toEqual([]);
    });

    it('a replay under a fresh id: a new header id is refused, a new body id breaks the signature', async () => {
      const { headers, body } = signed();
      const scheme = sns({ keys: fetcher });
      expect(
        await secondDeliveryKind(
          scheme,
          { headers, rawBody: body },
          { headers, rawBody: body },
          { secrets: TOPIC },
        ),
      ).toBe('duplicate');
      const freshHeader = { ...headers, 'x-amz-sns-message-id': 'ffffffff-0000-4000-8000-000000000000' };
      expect(await reasonOf(deliver(scheme, freshHeader, body, { secrets: TOPIC }))).toBe('malformed_header');
      const id = (JSON.parse(body) as { MessageId: string }).MessageId;
      const freshBody = body.replace(id, 'ffffffff-0000-4000-8000-000000000000');
      const { 'x-amz-sns-message-id': _, ...unlabelled } = headers;
      expect(await reasonOf(deliver(scheme, unlabelled, freshBody, { secrets: TOPIC }))).toBe(
        'signature_mismatch',
      );
    });

    it.each([
      ['http', 'http://sns.us-east-1.amazonaws.com' + CERT_PATH],
      ['another host', 'https://example.com' + CERT_PATH],
      ['a lookalike host', 'https://sns.us-east-1.amazonaws.com.evil.example' + CERT_PATH],
      ['a lookalike suffix', 'https://evilsns.us-east-1.amazonaws.com' + CERT_PATH],
      ['a region that is not one', 'https://sns.localhost.amazonaws.com' + CERT_PATH],
      ['a port', 'https://sns.us-east-1.amazonaws.com:8443' + CERT_PATH],
      ['credentials', 'https://user@sns.us-east-1.amazonaws.com' + CERT_PATH],
      ['another path', 'https://sns.us-east-1.amazonaws.com/other.pem'],
      ['a query', `${CERT_URL}?redirect=https://example.com`],
      ['a trailing dot', 'https://sns.us-east-1.amazonaws.com.' + CERT_PATH],
    ])('a SigningCertURL on %s is refused with no outbound request', async (_what, certUrl) => {
      const { headers, body } = signed({ certUrl });
      const request = vi.spyOn(https, 'request');
      try {
        expect(await reasonOf(deliver(sns({ keys: fetcher }), headers, body, { secrets: TOPIC }))).toBe(
          'malformed_signature',
        );
        expect(request).not.toHaveBeenCalled();
      } finally {
        request.mockRestore();
      }
      expect(server.connections).toBe(0);
    });

    it('a certificate URL that redirects is not followed: 503 key_fetch_failed, one request', async () => {
      const path = `/SimpleNotificationService-${'f'.repeat(32)}.pem`;
      server.route(path, {
        status: 302,
        headers: { location: `https://sns.us-east-1.amazonaws.com${CERT_PATH}` },
      });
      const { headers, body } = signed({ certUrl: `https://sns.us-east-1.amazonaws.com${path}` });
      expect(await reasonOf(deliver(sns({ keys: fetcher }), headers, body, { secrets: TOPIC }))).toBe(
        'key_fetch_failed',
      );
      expect(server.requests).toEqual([`sns.us-east-1.amazonaws.com${path}`]);
    });

    it.each([
      ['another region', TOPIC, 'https://sns.eu-west-1.amazonaws.com' + CERT_PATH],
      [
        'the China partition for a topic outside it',
        'arn:aws:sns:cn-north-1:123456789012:orders',
        'https://sns.cn-north-1.amazonaws.com.cn' + CERT_PATH,
      ],
    ])(
      "a SigningCertURL in %s than the TopicArn's is refused before any fetch",
      async (_what, topicArn, certUrl) => {
        const { 'x-amz-sns-topic-arn': _, ...headers } = signed({ certUrl }).headers;
        const { body } = signed({ certUrl, topicArn });
        expect(await reasonOf(deliver(sns({ keys: fetcher }), headers, body, { secrets: topicArn }))).toBe(
          'malformed_signature',
        );
        expect(server.requests).toEqual([]);
      },
    );

    it("a SigningCertURL in the topic's own region is fetched there and verifies", async () => {
      const topicArn = 'arn:aws:sns:eu-west-1:123456789012:orders';
      const { headers, body } = signed({
        topicArn,
        certUrl: 'https://sns.eu-west-1.amazonaws.com' + CERT_PATH,
      });
      expect((await deliver(sns({ keys: fetcher }), headers, body, { secrets: topicArn })).kind).toBe('new');
      expect(server.requests).toEqual([`sns.eu-west-1.amazonaws.com${CERT_PATH}`]);
    });

    it('a certificate URL SNS answers 4xx for is a forgery: 401, no upstream detail, not fetched again', async () => {
      const path = `/SimpleNotificationService-${'e'.repeat(32)}.pem`;
      server.route(path, { status: 403, body: '<Error><Code>AccessDenied</Code></Error>' });
      const { headers, body } = signed({ certUrl: `https://sns.us-east-1.amazonaws.com${path}` });
      const scheme = sns({ keys: fetcher });
      const refused = await deliver(scheme, headers, body, { secrets: TOPIC }).catch(
        (error: unknown) => error,
      );
      const answer = refusalAnswer(refused, 'sns');
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe('signature_mismatch');
      expect(answer.body.message).toBe('The SigningCertURL does not name an SNS certificate.');
      // The log keeps the upstream status, at debug.
      expect(answer.log).toEqual({ level: 'debug', line: 'sns: refused (signature_mismatch): status 403' });
      expect(await reasonOf(deliver(scheme, headers, body, { secrets: TOPIC }))).toBe('signature_mismatch');
      expect(server.requests).toEqual([`sns.us-east-1.amazonaws.com${path}`]);
    });

    it('a certificate host that fails (5xx) is an outage: 503 key_fetch_failed, no upstream detail in the body', async () => {
      const path = `/SimpleNotificationService-${'d'.repeat(32)}.pem`;
      server.route(path, { status: 500, body: 'InternalFailure' });
      const { headers, body } = signed({ certUrl: `https://sns.us-east-1.amazonaws.com${path}` });
      const refused = await deliver(sns({ keys: fetcher }), headers, body, { secrets: TOPIC }).catch(
        (error: unknown) => error,
      );
      const answer = refusalAnswer(refused, 'sns');
      expect([answer.status, answer.body.error]).toEqual([503, 'key_fetch_failed']);
      expect(answer.body.message).toBe('The SNS signing certificate could not be fetched.');
      expect(answer.log?.line).toBe('sns: refused (key_fetch_failed): status 500');
    });

    it('Type, SignatureVersion and the body shape are checked before anything is fetched', async () => {
      const { headers, body } = signed();
      const message = JSON.parse(body) as Record<string, unknown>;
      const cases: [Record<string, unknown>, string][] = [
        [{ ...message, Type: 'Other' }, 'malformed_signature'],
        [{ ...message, SignatureVersion: '3' }, 'malformed_signature'],
        [{ ...message, Signature: 'not base64!' }, 'malformed_signature'],
        // The same bytes spelled with an unused trailing bit set: one signature has one spelling.
        [{ ...message, Signature: nonCanonical(message.Signature as string) }, 'malformed_signature'],
        [{ ...message, TopicArn: 'arn:aws:s3:::bucket' }, 'malformed_signature'],
        [{ ...message, Timestamp: 'yesterday' }, 'malformed_header'],
        [{ ...message, Signature: undefined }, 'missing_signature'],
        [{ ...message, Message: 42 }, 'malformed_signature'],
      ];
      for (const [changed, reason] of cases) {
        const { 'x-amz-sns-message-type': _, ...rest } = headers;
        expect(
          await reasonOf(deliver(sns({ keys: fetcher }), rest, JSON.stringify(changed), { secrets: TOPIC })),
        ).toBe(reason);
      }
      expect(await reasonOf(deliver(sns({ keys: fetcher }), headers, 'not json', { secrets: TOPIC }))).toBe(
        'missing_signature',
      );
      expect(server.requests).toEqual([]);
    });

    it('a topic ARN that is not one is a boot error (invalid_secret)', () => {
      expect(() => sns().importKey('orders')).toThrow(/ARN of a topic/);
      expect(() => sns().importKey(TOPIC)).not.toThrow();
    });
  });

  describe('subscription confirmation', () => {
    it('by default it reaches the handlers as a verified event; nothing is fetched but the certificate', async () => {
      const { headers, body } = signed({ type: 'SubscriptionConfirmation' });
      const event = eventOf(await deliver(sns({ keys: fetcher }), headers, body, { secrets: TOPIC }));
      expect(event.type).toBe('SubscriptionConfirmation');
      expect(server.requests).toEqual([`sns.us-east-1.amazonaws.com${CERT_PATH}`]);
    });

    it('confirmSubscriptions: GETs the SubscribeURL through the SNS allow-list and answers 200', async () => {
      server.route('/', { body: '<ConfirmSubscriptionResponse/>' });
      const { headers, body } = signed({ type: 'SubscriptionConfirmation', token: 'b'.repeat(64) });
      const reply = replyOf(
        await deliver(sns({ keys: fetcher, confirmSubscriptions: true }), headers, body, { secrets: TOPIC }),
      );
      expect(reply.status).toBe(200);
      expect(server.requests).toEqual([
        `sns.us-east-1.amazonaws.com${CERT_PATH}`,
        `sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${'b'.repeat(64)}`,
      ]);
    });

    it('a replayed confirmation is answered 200 without a second GET of the SubscribeURL', async () => {
      server.route('/', { body: '<ConfirmSubscriptionResponse/>' });
      const { headers, body } = signed({ type: 'SubscriptionConfirmation', token: 'c'.repeat(64) });
      const scheme = sns({ keys: fetcher, confirmSubscriptions: true });
      for (let copy = 0; copy < 3; copy++)
        expect(replyOf(await deliver(scheme, headers, body, { secrets: TOPIC })).status).toBe(200);
      const other = signed({ type: 'SubscriptionConfirmation', token: 'd'.repeat(64) });
      expect(replyOf(await deliver(scheme, other.headers, other.body, { secrets: TOPIC })).status).toBe(200);
      expect(server.requests.filter((request) => request.includes('ConfirmSubscription'))).toEqual([
        `sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${'c'.repeat(64)}`,
        `sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${'d'.repeat(64)}`,
      ]);
    });

    it('a confirmation whose GET failed is not remembered: the retry confirms', async () => {
      server.route('/', { status: 500 });
      const { headers, body } = signed({ type: 'SubscriptionConfirmation', token: 'e'.repeat(64) });
      const scheme = sns({ keys: fetcher, confirmSubscriptions: true });
      expect(await reasonOf(deliver(scheme, headers, body, { secrets: TOPIC }))).toBe('key_fetch_failed');
      server.route('/', { body: '<ConfirmSubscriptionResponse/>' });
      expect(replyOf(await deliver(scheme, headers, body, { secrets: TOPIC })).status).toBe(200);
      expect(server.requests.filter((request) => request.includes('ConfirmSubscription'))).toHaveLength(2);
    });

    it('a hook takes it instead (answered 200 once it resolves)', async () => {
      const seen: string[] = [];
      const scheme = sns({
        keys: fetcher,
        onSubscriptionConfirmation: async (message) => void seen.push(message.SubscribeURL!),
      });
      const { headers, body } = signed({ type: 'SubscriptionConfirmation' });
      expect(replyOf(await deliver(scheme, headers, body, { secrets: TOPIC })).status).toBe(200);
      expect(seen).toHaveLength(1);
    });

    it.each([
      [
        'another host',
        `https://example.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${'a'.repeat(64)}`,
      ],
      [
        'another region',
        `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${'a'.repeat(64)}`,
      ],
      [
        'another topic',
        `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${OTHER_TOPIC}&Token=${'a'.repeat(64)}`,
      ],
      [
        'another action',
        `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&TopicArn=${TOPIC}&Token=${'a'.repeat(64)}`,
      ],
      [
        'http',
        `http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${'a'.repeat(64)}`,
      ],
    ])('a signed SubscribeURL to %s is refused before any request', async (_what, subscribeUrl) => {
      const { headers, body } = signed({ type: 'SubscriptionConfirmation', subscribeUrl });
      const scheme = sns({ keys: fetcher, confirmSubscriptions: true });
      expect(await reasonOf(deliver(scheme, headers, body, { secrets: TOPIC }))).toBe('malformed_signature');
      expect(server.requests).toEqual([]);
    });
  });

  describe('the key fetcher in use', () => {
    it('one certificate fetch for N deliveries, concurrent ones coalesced', async () => {
      // The spy the no-outbound tests rely on does see a real fetch.
      const outbound = vi.spyOn(https, 'request');
      const scheme = sns({ keys: fetcher });
      const verifier = new WebhookVerifier({ scheme, secrets: TOPIC, replayStore: false });
      const deliveries = Array.from({ length: 20 }, () => signed());
      const outcomes = await Promise.all(
        deliveries.map(({ headers, body }) => verifier.receive({ headers, rawBody: Buffer.from(body) })),
      );
      expect(outcomes.every((outcome) => outcome.kind === 'new')).toBe(true);
      const { headers, body } = signed();
      expect((await verifier.receive({ headers, rawBody: Buffer.from(body) })).kind).toBe('new');
      expect(server.requests).toEqual([`sns.us-east-1.amazonaws.com${CERT_PATH}`]);
      expect(outbound).toHaveBeenCalledTimes(1);
      outbound.mockRestore();
    });

    it('a forged SNS request makes 0 outbound requests (counted at https.request and at the server)', async () => {
      const request = vi.spyOn(https, 'request');
      const get = vi.spyOn(https, 'get');
      const fetchSpy = vi.spyOn(globalThis, 'fetch');
      try {
        const verifier = new WebhookVerifier({ scheme: sns(), secrets: TOPIC, replayStore: false });
        const forgeries = [
          signed({ topicArn: OTHER_TOPIC }), // a topic this route does not accept
          signed({ timestamp: Date.now() - 2 * 60 * 60_000 }), // stale
          signed({
            certUrl: 'https://attacker.example/SimpleNotificationService-' + 'a'.repeat(32) + '.pem',
          }),
          signed({ certUrl: 'http://169.254.169.254/latest/meta-data/x.pem' }),
        ];
        for (const { headers, body } of forgeries) {
          await expect(verifier.receive({ headers, rawBody: Buffer.from(body) })).rejects.toMatchObject({
            status: expect.any(Number),
          });
        }
        expect(request).not.toHaveBeenCalled();
        expect(get).not.toHaveBeenCalled();
        expect(fetchSpy).not.toHaveBeenCalled();
      } finally {
        request.mockRestore();
        get.mockRestore();
        fetchSpy.mockRestore();
      }
      expect(server.connections).toBe(0);
    });
  });
});
