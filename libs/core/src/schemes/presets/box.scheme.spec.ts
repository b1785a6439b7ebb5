import { computeWebhookSignature, jsonStringifyWithEscapedUnicode } from 'box-node-sdk/internal';
import fc from 'fast-check';
import { WebhooksManager } from 'box-node-sdk/managers';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders } from '../../testing/scheme-testing.js';
import { box } from './box.scheme.js';

// SDK vectors: box-typescript-sdk-gen test/webhooks.generated.test (PROVIDERS.md §35).
const VECTOR = {
  body: '{"type":"webhook_event","webhook":{"id":"1234567890"},"trigger":"FILE.UPLOADED","source":{"id":"1234567890","type":"file","name":"Test.txt"}}',
  timestamp: '2020-01-01T00:00:00-07:00',
  primaryKey: 'SamplePrimaryKey',
  secondaryKey: 'SampleSecondaryKey',
  primary: '6TfeAW3A1PASkgboxxA5yqHNKOwFyMWuEXny/FPD5hI=',
  secondary: 'v+1CD1Jdo3muIcbpv5lxxgPglOqMfsNHPV899xWYydo=',
};
const VECTOR_MS = Date.parse('2020-01-01T07:00:00Z');
const boxHeaders = (extra: Record<string, string> = {}) => ({
  'box-delivery-id': 'f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f',
  'box-delivery-timestamp': VECTOR.timestamp,
  'box-signature-algorithm': 'HmacSHA256',
  'box-signature-version': '1',
  'box-signature-primary': VECTOR.primary,
  'box-signature-secondary': VECTOR.secondary,
  ...extra,
});
const sdkSignature = (body: string, headers: Record<string, string>, key: string, escape = false) =>
  computeWebhookSignature(body, headers, key, escape) as Promise<string>;
const at = (ms: number, secrets: string | string[] = VECTOR.primaryKey) => ({ secrets, now: ms });

describe('box()', () => {
  const scheme = box();

  it('accepts the SDK vectors with either key (primary and secondary signatures)', async () => {
    const outcome = await deliver(scheme, boxHeaders(), VECTOR.body, at(VECTOR_MS));
    expect(eventOf(outcome)).toMatchObject({ id: 'f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f', scheme: 'box' });
    expect(
      await reasonOf(deliver(scheme, boxHeaders(), VECTOR.body, at(VECTOR_MS, VECTOR.secondaryKey))),
    ).toBe('accepted');
  });

  it('accepts signatures from the official SDK (computeWebhookSignature), and validateMessage accepts ours', async () => {
    const body = JSON.stringify({ type: 'webhook_event', trigger: 'FILE.DELETED', source: { id: '42' } });
    const timestamp = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const headers = boxHeaders({ 'box-delivery-timestamp': timestamp });
    headers['box-signature-primary'] = await sdkSignature(body, headers, VECTOR.primaryKey);
    headers['box-signature-secondary'] = await sdkSignature(body, headers, VECTOR.secondaryKey);
    expect(await reasonOf(deliver(scheme, headers, body, at(Date.now())))).toBe('accepted');
    const ours = scheme.sign({ secret: VECTOR.primaryKey, body, timestamp: Date.now() - 1000 });
    expect(await WebhooksManager.validateMessage(body, ours, VECTOR.primaryKey)).toBe(true);
  });

  it('accepts the SDK escaped-unicode variant, and keys both spellings to one replay key', async () => {
    const body = '{"source":{"name":"Résumé/2026.pdf"}}';
    const headers = boxHeaders({ 'box-signature-secondary': '' });
    headers['box-signature-primary'] = await sdkSignature(body, headers, VECTOR.primaryKey, true);
    expect(await reasonOf(deliver(scheme, headers, body, at(VECTOR_MS)))).toBe('accepted');
    expect(await reasonOf(deliver(box({ escapedBodyVariant: false }), headers, body, at(VECTOR_MS)))).toBe(
      'signature_mismatch',
    );
    const escapedSpelling = '{"source":{"name":"R\\u00e9sum\\u00e9\\/2026.pdf"}}';
    expect(await reasonOf(deliver(scheme, headers, escapedSpelling, at(VECTOR_MS)))).toBe('accepted');
    const limits = { maxHeaderLength: 8192, maxSignatures: 16 };
    const key = (raw: string) =>
      scheme.replayId!(scheme.parse(headers, { limits, rawBody: Buffer.from(raw) }), Buffer.from(raw));
    expect(key(escapedSpelling)).toBe(key(body));
  });

  it('refuses a tampered body, a moved timestamp and the wrong key', async () => {
    expect(
      await reasonOf(deliver(scheme, boxHeaders(), VECTOR.body.replace('Test', 'Tost'), at(VECTOR_MS))),
    ).toBe('signature_mismatch');
    const moved = boxHeaders({ 'box-delivery-timestamp': '2020-01-01T07:00:00Z' });
    expect(await reasonOf(deliver(scheme, moved, VECTOR.body, at(VECTOR_MS)))).toBe('signature_mismatch');
    expect(
      await reasonOf(deliver(scheme, boxHeaders(), VECTOR.body, at(VECTOR_MS, 'AnotherKey0123456'))),
    ).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps (10 minutes, both ways)', async () => {
    expect(await reasonOf(deliver(scheme, boxHeaders(), VECTOR.body, at(VECTOR_MS + 600_001)))).toBe(
      'timestamp_expired',
    );
    expect(await reasonOf(deliver(scheme, boxHeaders(), VECTOR.body, at(VECTOR_MS - 600_001)))).toBe(
      'timestamp_in_future',
    );
    expect(await reasonOf(deliver(scheme, boxHeaders(), VECTOR.body, at(VECTOR_MS + 599_000)))).toBe(
      'accepted',
    );
  });

  it('rotates: a delivery signed only by the old or only by the new key is accepted', async () => {
    const secrets = [VECTOR.primaryKey, VECTOR.secondaryKey];
    const onlySecondary = boxHeaders({ 'box-signature-primary': '' });
    const onlyPrimary = boxHeaders({ 'box-signature-secondary': '' });
    expect(await reasonOf(deliver(scheme, onlySecondary, VECTOR.body, at(VECTOR_MS, secrets)))).toBe(
      'accepted',
    );
    expect(await reasonOf(deliver(scheme, onlyPrimary, VECTOR.body, at(VECTOR_MS, secrets)))).toBe(
      'accepted',
    );
  });

  it('treats box-delivery-id as unsigned: a replay under a fresh delivery id is a duplicate', async () => {
    expect(
      await replayWithFreshHeaders(
        scheme,
        boxHeaders(),
        VECTOR.body,
        VECTOR.primaryKey,
        { 'box-delivery-id': 'fresh' },
        VECTOR_MS,
      ),
    ).toEqual(['new', 'duplicate']);
  });

  it('refuses unknown signature versions and algorithms, and malformed timestamps', async () => {
    const reason = (extra: Record<string, string>) =>
      reasonOf(deliver(scheme, boxHeaders(extra), VECTOR.body, at(VECTOR_MS)));
    expect(await reason({ 'box-signature-version': '2' })).toBe('malformed_header');
    expect(await reason({ 'box-signature-algorithm': 'HmacSHA1' })).toBe('malformed_header');
    expect(await reason({ 'box-delivery-timestamp': '1577862000' })).toBe('malformed_header');
    expect(await reason({ 'box-signature-primary': '', 'box-signature-secondary': '' })).toBe(
      'missing_signature',
    );
  });

  describe('the escaped-body variant: built once per request, bounded', () => {
    const limits = { maxHeaderLength: 8192, maxSignatures: 16 };
    const parse = (body: Buffer, options = {}) => box(options).parse(boxHeaders(), { limits, rawBody: body });
    const sdkEscaped = (body: Buffer) => {
      const text = body.toString('utf8');
      const escaped = jsonStringifyWithEscapedUnicode(text);
      return escaped === text ? undefined : Buffer.from(escaped, 'utf8');
    };

    it('parse() builds exactly the SDK escaping of the received text, for any bytes', () => {
      const interesting = fc.constantFrom(
        0x2f,
        0x5c,
        0x7f,
        0x80,
        0xbf,
        0xc2,
        0xc3,
        0xe0,
        0xed,
        0xef,
        0xf0,
        0xf4,
        0xff,
      );
      const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), interesting), { maxLength: 64 });
      fc.assert(
        fc.property(
          fc.oneof(
            bytes.map((b) => Buffer.from(b)),
            fc.string({ unit: 'binary' }).map((t) => Buffer.from(t)),
          ),
          (body) => {
            expect(parse(body).escapedBody).toEqual(sdkEscaped(body));
          },
        ),
        { numRuns: 5_000 },
      );
      for (const text of ['{"a":"b"}', '\\/x', '\u007f\u00e9\ud83d\ude00/', 'a/b\\/c']) {
        const body = Buffer.from(text);
        expect(parse(body).escapedBody).toEqual(sdkEscaped(body));
      }
      expect(parse(Buffer.from('{"plain":"ascii"}')).escapedBody).toBeUndefined();
      expect(parse(Buffer.from('{"a":"\\/"}')).escapedBody).toBeUndefined();
    });

    it('verify() never escapes: it tries only the variant parse() built, however many keys are configured', async () => {
      const body = '{"source":{"name":"Résumé/2026.pdf"}}';
      const headers = boxHeaders({ 'box-signature-secondary': '' });
      headers['box-signature-primary'] = await sdkSignature(body, headers, VECTOR.primaryKey, true);
      const scheme = box();
      const rawBody = Buffer.from(body);
      const parsed = scheme.parse(headers, { limits, rawBody });
      const key = scheme.importKey(VECTOR.primaryKey);
      expect(scheme.verify(parsed, rawBody, key)).toBe(true);
      expect(scheme.verify({ ...parsed, escapedBody: undefined }, rawBody, key)).toBe(false);
    });

    it('tries the variant only up to the size cap (64 KiB by default, escapedBodyVariantMaxBytes to change it)', async () => {
      const body = `{"source":{"name":"${'é/'.repeat(22_000)}"}}`;
      expect(Buffer.byteLength(body)).toBeGreaterThan(64 * 1024);
      const escapedOnly = boxHeaders({ 'box-signature-secondary': '' });
      escapedOnly['box-signature-primary'] = await sdkSignature(body, escapedOnly, VECTOR.primaryKey, true);
      const asSent = boxHeaders({ 'box-signature-secondary': '' });
      asSent['box-signature-primary'] = await sdkSignature(body, asSent, VECTOR.primaryKey);
      expect(parse(Buffer.from(body)).escapedBody).toBeUndefined();
      expect(await reasonOf(deliver(box(), escapedOnly, body, at(VECTOR_MS)))).toBe('signature_mismatch');
      expect(await reasonOf(deliver(box(), asSent, body, at(VECTOR_MS)))).toBe('accepted');
      const raised = box({ escapedBodyVariantMaxBytes: 256 * 1024 });
      expect(await reasonOf(deliver(raised, escapedOnly, body, at(VECTOR_MS)))).toBe('accepted');
    });
  });
});
