import { TestKeyServer } from '../../../../test/support/test-key-server.js';
import { KeyFetcher, UpstreamStatusError } from './key-fetcher.js';
import type { KeyUrlPolicy } from './key-url-policy.js';
import {
  GOOGLE_OAUTH2_CERTS,
  MICROSOFT_IDENTITY_KEYS,
  SNS_CONFIRM_SUBSCRIPTION,
  SNS_SIGNING_CERT,
  allowedUrl,
} from './key-url-policy.js';

const CERT = (hex = 'a'.repeat(32)) =>
  `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${hex}.pem`;
const text = (body: Buffer) => body.toString();

let server: TestKeyServer;
beforeAll(async () => {
  server = await TestKeyServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const reasonOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'fetched';
  } catch (error) {
    const cause = (error as Error).cause;
    return `${(error as { reason?: string }).reason}: ${(error as Error).message}${cause instanceof Error ? `: ${cause.message}` : ''}`;
  }
};
const GOOGLE = new URL('https://www.googleapis.com/oauth2/v1/certs');

describe('KeyFetcher', () => {
  it('caches by Cache-Control max-age (bounded), then fetches again once it expired', async () => {
    let now = 1_000_000;
    const fetcher = server.fetcher({ clock: () => now });
    server.route(`/SimpleNotificationService-${'b'.repeat(32)}.pem`, {
      body: 'one',
      headers: { 'cache-control': 'max-age=120' },
    });
    const url = new URL(CERT('b'.repeat(32)));
    expect(await fetcher.cached(url, SNS_SIGNING_CERT, text)).toBe('one');
    now += 119_000;
    expect(await fetcher.cached(url, SNS_SIGNING_CERT, text)).toBe('one');
    expect(server.requests).toHaveLength(1);
    now += 2_000;
    expect(await fetcher.cached(url, SNS_SIGNING_CERT, text)).toBe('one');
    expect(server.requests).toHaveLength(2);
  });

  it('bounds max-age: a year is kept a day at most, 0 at least a minute', async () => {
    let now = 0;
    const fetcher = server.fetcher({ clock: () => now });
    server.route(`/SimpleNotificationService-${'c'.repeat(32)}.pem`, {
      body: 'long',
      headers: { 'cache-control': 'max-age=31536000' },
    });
    server.route(`/SimpleNotificationService-${'d'.repeat(32)}.pem`, {
      body: 'short',
      headers: { 'cache-control': 'max-age=0' },
    });
    const long = new URL(CERT('c'.repeat(32)));
    const short = new URL(CERT('d'.repeat(32)));
    await fetcher.cached(long, SNS_SIGNING_CERT, text);
    await fetcher.cached(short, SNS_SIGNING_CERT, text);
    now = 59_000;
    await fetcher.cached(short, SNS_SIGNING_CERT, text);
    expect(server.requests).toHaveLength(2);
    now = 61_000;
    await fetcher.cached(short, SNS_SIGNING_CERT, text);
    expect(server.requests).toHaveLength(3);
    now = 24 * 60 * 60_000 + 1;
    await fetcher.cached(long, SNS_SIGNING_CERT, text);
    expect(server.requests).toHaveLength(4);
  });

  it('coalesces concurrent requests for one URL into one fetch', async () => {
    server.route(`/SimpleNotificationService-${'e'.repeat(32)}.pem`, { body: 'slow', delayMs: 50 });
    const fetcher = server.fetcher();
    const url = new URL(CERT('e'.repeat(32)));
    const results = await Promise.all(
      Array.from({ length: 10 }, () => fetcher.cached(url, SNS_SIGNING_CERT, text)),
    );
    expect(results).toEqual(Array(10).fill('slow'));
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a response over the size limit (declared or streamed), and remembers the failure a minute', async () => {
    let now = 0;
    server.route(`/SimpleNotificationService-${'f'.repeat(32)}.pem`, {
      body: 'x'.repeat(2048),
      headers: { 'transfer-encoding': 'chunked' },
    });
    server.route(`/SimpleNotificationService-${'9'.repeat(32)}.pem`, {
      body: 'x'.repeat(2048),
      headers: { 'content-length': '2048' },
    });
    const fetcher = server.fetcher({ maxBytes: 1024, clock: () => now });
    const url = new URL(CERT('f'.repeat(32)));
    expect(await reasonOf(fetcher.cached(url, SNS_SIGNING_CERT, text))).toMatch(
      /^key_fetch_failed: .*: the response is over the 1024-byte limit/,
    );
    now = 59_000;
    expect(await reasonOf(fetcher.cached(url, SNS_SIGNING_CERT, text))).toMatch(/over the 1024-byte limit/);
    const declared = new URL(CERT('9'.repeat(32)));
    expect(await reasonOf(fetcher.cached(declared, SNS_SIGNING_CERT, text))).toMatch(/declares 2048 bytes/);
    expect(server.requests).toHaveLength(2);
    now = 61_000;
    await fetcher.cached(url, SNS_SIGNING_CERT, text).catch(() => undefined);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after the time limit', async () => {
    server.route(`/SimpleNotificationService-${'1'.repeat(32)}.pem`, { body: 'late', delayMs: 2_000 });
    const fetcher = server.fetcher({ timeoutMs: 200 });
    const started = Date.now();
    expect(await reasonOf(fetcher.cached(new URL(CERT('1'.repeat(32))), SNS_SIGNING_CERT, text))).toMatch(
      /^key_fetch_failed: .*no answer within 200 ms/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('does not follow redirects, and refuses other statuses', async () => {
    server.route(`/SimpleNotificationService-${'2'.repeat(32)}.pem`, {
      status: 301,
      headers: { location: 'https://example.com/' },
    });
    server.route(`/SimpleNotificationService-${'3'.repeat(32)}.pem`, { status: 500 });
    const fetcher = server.fetcher();
    expect(await reasonOf(fetcher.cached(new URL(CERT('2'.repeat(32))), SNS_SIGNING_CERT, text))).toMatch(
      /status 301 \(redirects are not followed\)/,
    );
    expect(await reasonOf(fetcher.cached(new URL(CERT('3'.repeat(32))), SNS_SIGNING_CERT, text))).toMatch(
      /status 500/,
    );
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a URL its policy does not allow without connecting, whatever the caller checked', async () => {
    const fetcher = server.fetcher();
    for (const href of [
      'http://sns.us-east-1.amazonaws.com/x.pem',
      'https://example.com/',
      'https://www.googleapis.com/oauth2/v1/certs',
    ]) {
      expect(await reasonOf(fetcher.get(new URL(href), SNS_SIGNING_CERT))).toMatch(
        /^key_fetch_failed: The URL is not an allowed/,
      );
    }
    expect(server.connections).toBe(0);
  });

  it('without the test CA the server is not trusted (TLS is verified)', async () => {
    server.route(`/SimpleNotificationService-${'4'.repeat(32)}.pem`, { body: 'x' });
    const untrusted = new KeyFetcher({
      unsafeTestRoute: { host: '127.0.0.1', port: server.port, ca: server.signingKey().certificatePem },
    });
    expect(await reasonOf(untrusted.get(new URL(CERT('4'.repeat(32))), SNS_SIGNING_CERT))).toMatch(
      /^key_fetch_failed/,
    );
    expect(server.requests).toEqual([]);
  });

  it('caps fetches that miss the cache per minute', async () => {
    const fetcher = server.fetcher({ maxFetchesPerMinute: 2 });
    for (const hex of ['5', '6'])
      server.route(`/SimpleNotificationService-${hex.repeat(32)}.pem`, { body: hex });
    await fetcher.cached(new URL(CERT('5'.repeat(32))), SNS_SIGNING_CERT, text);
    await fetcher.cached(new URL(CERT('6'.repeat(32))), SNS_SIGNING_CERT, text);
    expect(await reasonOf(fetcher.cached(new URL(CERT('7'.repeat(32))), SNS_SIGNING_CERT, text))).toMatch(
      /Too many/,
    );
    expect(server.requests).toHaveLength(2);
  });

  it('a failed fetch answers no upstream detail in its message; the cause keeps it for the log', async () => {
    server.route(`/SimpleNotificationService-${'8'.repeat(32)}.pem`, { status: 403, body: 'AccessDenied' });
    const fetcher = server.fetcher();
    const url = new URL(CERT('8'.repeat(32)));
    const error = await fetcher.cached(url, SNS_SIGNING_CERT, text).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      reason: 'key_fetch_failed',
      message: 'The SNS signing certificate could not be fetched.',
    });
    expect((error as Error).cause).toBeInstanceOf(UpstreamStatusError);
    expect(((error as Error).cause as UpstreamStatusError).status).toBe(403);
    // Remembered: the copy carries the same cause, and nothing is fetched again.
    const again = await fetcher.cached(url, SNS_SIGNING_CERT, text).catch((caught: unknown) => caught);
    expect(((again as Error).cause as UpstreamStatusError).status).toBe(403);
    expect(server.requests).toHaveLength(1);
  });

  it('a key document that does not parse: every concurrent caller gets key_fetch_failed (503), one fetch', async () => {
    server.route(`/SimpleNotificationService-${'04'.repeat(16)}.pem`, {
      body: 'not a certificate',
      delayMs: 30,
    });
    const fetcher = server.fetcher();
    const url = new URL(CERT('04'.repeat(16)));
    const parse = () => {
      throw new Error('not a PEM certificate');
    };
    const reasons = await Promise.all(
      Array.from({ length: 3 }, () =>
        fetcher
          .cached(url, SNS_SIGNING_CERT, parse)
          .catch((error: { reason?: string; status?: number }) => [error.reason, error.status]),
      ),
    );
    expect(reasons).toEqual(Array(3).fill(['key_fetch_failed', 503]));
    expect(server.requests).toHaveLength(1);
  });

  it('caches by origin and path: `…pem`, `…pem?` and `…pem#` are one entry, one fetch', async () => {
    server.route(`/SimpleNotificationService-${'a'.repeat(32)}.pem`, { body: 'cert' });
    const fetcher = server.fetcher();
    for (const suffix of ['', '?', '#'])
      expect(await fetcher.cached(new URL(CERT() + suffix), SNS_SIGNING_CERT, text)).toBe('cert');
    expect(server.requests).toHaveLength(1);
  });

  it('a budget per URL policy: spent SNS fetches do not starve the Google or Microsoft keys', async () => {
    const fetcher = server.fetcher({ maxFetchesPerMinute: 2 });
    server.route('/oauth2/v1/certs', { body: 'google' });
    server.route('/common/discovery/keys', { body: 'microsoft' });
    // Forged certificate URLs: 404s, each a fetch.
    for (const hex of ['01', '02'])
      expect(await reasonOf(fetcher.cached(new URL(CERT(hex.repeat(16))), SNS_SIGNING_CERT, text))).toMatch(
        /status 404/,
      );
    expect(await reasonOf(fetcher.cached(new URL(CERT('03'.repeat(16))), SNS_SIGNING_CERT, text))).toMatch(
      /Too many SNS signing certificate fetches/,
    );
    expect(await fetcher.cached(GOOGLE, GOOGLE_OAUTH2_CERTS, text)).toBe('google');
    expect(
      await fetcher.cached(
        new URL('https://login.microsoftonline.com/common/discovery/keys'),
        MICROSOFT_IDENTITY_KEYS,
        text,
      ),
    ).toBe('microsoft');
    expect(server.requests).toHaveLength(4);
  });

  it('a refusal by the budget is not remembered: the URL is fetched once the minute has passed', async () => {
    let now = 0;
    const fetcher = server.fetcher({ maxFetchesPerMinute: 1, clock: () => now });
    server.route('/oauth2/v1/certs', { body: 'google' });
    server.route(`/SimpleNotificationService-${'e'.repeat(32)}.pem`, { body: 'e' });
    await fetcher.cached(new URL(CERT('e'.repeat(32))), SNS_SIGNING_CERT, text);
    expect(await reasonOf(fetcher.cached(GOOGLE, GOOGLE_OAUTH2_CERTS, text))).toBe('fetched');
    fetcher.clear();
    expect(await reasonOf(fetcher.cached(GOOGLE, GOOGLE_OAUTH2_CERTS, text))).toMatch(/Too many/);
    now = 60_001;
    expect(await fetcher.cached(GOOGLE, GOOGLE_OAUTH2_CERTS, text)).toBe('google');
  });

  it.each([
    ['production', 'true'],
    ['production', undefined],
    ['development', undefined],
    [undefined, undefined],
  ])('refuses unsafeTestRoute when NODE_ENV=%s and VITEST=%s', (nodeEnv, vitest) => {
    vi.stubEnv('NODE_ENV', nodeEnv);
    vi.stubEnv('VITEST', vitest);
    try {
      expect(() => server.fetcher()).toThrow(/unsafeTestRoute is for tests/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('allows unsafeTestRoute under NODE_ENV=test or vitest', () => {
    for (const [nodeEnv, vitest] of [
      ['test', undefined],
      [undefined, 'true'],
      ['development', 'true'],
    ] as const) {
      vi.stubEnv('NODE_ENV', nodeEnv);
      vi.stubEnv('VITEST', vitest);
      try {
        expect(() => server.fetcher()).not.toThrow();
      } finally {
        vi.unstubAllEnvs();
      }
    }
  });
});

describe('allow-lists', () => {
  const allowed = (href: string, policy: KeyUrlPolicy) => allowedUrl(href, policy) !== undefined;
  it.each([
    [CERT(), true],
    [
      'https://sns.eu-central-2.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      true,
    ],
    [
      'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      true,
    ],
    [
      'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      true,
    ],
    [
      'https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      false,
    ],
    [
      'https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      false,
    ],
    [
      'https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      true,
    ],
    [
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789ABCDEF0123456789abcdef.pem',
      false,
    ],
    [
      'https://sns.us-east-1.amazonaws.com/%53impleNotificationService-0123456789abcdef0123456789abcdef.pem',
      false,
    ],
    [
      'https://sns.us-east-1.amazonaws.com/a/../SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      true,
    ],
    [
      'https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      false,
    ],
    ['https://sns.us-east-1.amazonaws.com\\@evil.example/x.pem', false],
    ['https://sns.x.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem', false],
    [
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem#x',
      false,
    ],
    [
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem#',
      false,
    ],
    [
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem?',
      false,
    ],
    ['https://[::1]/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem', false],
    ['https://127.0.0.1/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem', false],
  ])('SNS certificate %s → %s', (href, expected) => {
    expect(allowed(href, SNS_SIGNING_CERT)).toBe(expected);
  });

  it('the fixed key URLs are allowed exactly', () => {
    expect(allowed('https://www.googleapis.com/oauth2/v1/certs', GOOGLE_OAUTH2_CERTS)).toBe(true);
    expect(allowed('https://www.googleapis.com/oauth2/v1/certs?x=1', GOOGLE_OAUTH2_CERTS)).toBe(false);
    expect(allowed('https://www.googleapis.com.evil.example/oauth2/v1/certs', GOOGLE_OAUTH2_CERTS)).toBe(
      false,
    );
    expect(allowed('https://login.microsoftonline.com/common/discovery/keys', MICROSOFT_IDENTITY_KEYS)).toBe(
      true,
    );
    expect(allowed('https://login.microsoftonline.com/evil/discovery/keys', MICROSOFT_IDENTITY_KEYS)).toBe(
      false,
    );
  });

  it('an SNS SubscribeURL carries only Action=ConfirmSubscription, TopicArn and Token', () => {
    const base =
      'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:1:t&Token=abc';
    expect(allowed(base, SNS_CONFIRM_SUBSCRIPTION)).toBe(true);
    expect(allowed(`${base}&Extra=1`, SNS_CONFIRM_SUBSCRIPTION)).toBe(false);
    expect(allowed(base.replace('ConfirmSubscription', 'Publish'), SNS_CONFIRM_SUBSCRIPTION)).toBe(false);
    expect(allowed(base.replace('/?', '/x?'), SNS_CONFIRM_SUBSCRIPTION)).toBe(false);
  });
});
