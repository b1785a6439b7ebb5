import Twilio from 'twilio';
import { eventOf, reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { twilio } from './twilio.scheme.js';

// Published vector: twilio.com/docs/usage/security (PROVIDERS.md §10).
const DOCS = {
  token: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  },
  signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
};
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const TOKEN = 'twilio-auth-token-of-32-characters';

describe('twilio()', () => {
  it('accepts the published Twilio docs vector (form POST)', async () => {
    const outcome = await verifyWith(
      twilio(),
      {
        headers: { ...FORM, 'x-twilio-signature': DOCS.signature },
        rawBody: form(DOCS.params),
        url: DOCS.url,
      },
      { secrets: DOCS.token },
    );
    expect(eventOf(outcome).payload).toMatchObject({ CallSid: 'CA1234567890ABCDE' });
  });

  it('accepts a form delivery signed by the official twilio getExpectedTwilioSignature (repeated keys too)', async () => {
    const url = 'https://hooks.example.com/twilio/sms?tenant=acme';
    const body = 'To=%2B15550001111&Body=hello+world&From=%2B15550002222&MediaUrl=b&MediaUrl=a&MediaUrl=b';
    const params = {
      To: '+15550001111',
      Body: 'hello world',
      From: '+15550002222',
      MediaUrl: ['b', 'a', 'b'],
    };
    const signature = Twilio.getExpectedTwilioSignature(TOKEN, url, params);
    expect(
      await reasonOf(
        verifyWith(
          twilio(),
          { headers: { ...FORM, 'x-twilio-signature': signature }, rawBody: body, url },
          { secrets: TOKEN },
        ),
      ),
    ).toBe('accepted');
  });

  it('accepts the JSON variant signed by the SDK (bodySHA256 in the URL) and checks the body hash', async () => {
    const body = '{"property": "value", "boolean": true}';
    const hash = Twilio.getExpectedBodyHash(body);
    expect(hash).toBe('0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620');
    const url = `${DOCS.url}&bodySHA256=${hash}`;
    const signature = Twilio.getExpectedTwilioSignature(DOCS.token, url, {});
    expect(signature).toBe('a9nBmqA0ju/hNViExpshrM61xv4='); // SDK spec vector
    const headers = { 'content-type': 'application/json', 'x-twilio-signature': signature };
    expect(
      await reasonOf(verifyWith(twilio(), { headers, rawBody: body, url }, { secrets: DOCS.token })),
    ).toBe('accepted');
    // Same signed URL, different body: the URL signature still matches, the body hash does not.
    expect(
      await reasonOf(
        verifyWith(
          twilio(),
          { headers, rawBody: '{"property": "evil", "boolean": true}', url },
          { secrets: DOCS.token },
        ),
      ),
    ).toBe('signature_mismatch');
  });

  it('signs what the official twilio validateRequest accepts', () => {
    const url = 'https://hooks.example.com/voice';
    const params = { CallSid: 'CA1', From: '+15550003333' };
    const headers = twilio().sign({ secret: TOKEN, body: form(params), url });
    expect(Twilio.validateRequest(TOKEN, headers['x-twilio-signature']!, url, params)).toBe(true);
  });

  it('accepts the URL with or without its default port, as the SDK does', async () => {
    const signature = Twilio.getExpectedTwilioSignature(DOCS.token, DOCS.url, DOCS.params);
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    expect(
      await reasonOf(
        verifyWith(
          twilio(),
          {
            headers: { ...FORM, 'x-twilio-signature': signature },
            rawBody: form(DOCS.params),
            url: withPort,
          },
          { secrets: DOCS.token },
        ),
      ),
    ).toBe('accepted');
  });

  it('refuses a tampered parameter, another URL and the wrong token', async () => {
    const headers = { ...FORM, 'x-twilio-signature': DOCS.signature };
    const verify = (rawBody: string, url: string, secrets: string) =>
      reasonOf(verifyWith(twilio(), { headers, rawBody, url }, { secrets }));
    expect(await verify(form({ ...DOCS.params, Digits: '9999' }), DOCS.url, DOCS.token)).toBe(
      'signature_mismatch',
    );
    expect(await verify(form(DOCS.params), 'https://mycompany.com/other.php?foo=1&bar=2', DOCS.token)).toBe(
      'signature_mismatch',
    );
    expect(await verify(form(DOCS.params), DOCS.url, '54321')).toBe('signature_mismatch');
    expect(
      await reasonOf(
        verifyWith(
          twilio(),
          { headers: FORM, rawBody: form(DOCS.params), url: DOCS.url },
          { secrets: DOCS.token },
        ),
      ),
    ).toBe('missing_signature');
  });

  it('refuses with a clear error when no public URL is configured (never reads Host)', async () => {
    const promise = verifyWith(
      twilio(),
      {
        headers: { ...FORM, host: 'mycompany.com', 'x-twilio-signature': DOCS.signature },
        rawBody: form(DOCS.params),
      },
      { secrets: DOCS.token },
    );
    await expect(promise).rejects.toMatchObject({
      reason: 'missing_public_url',
      message: expect.stringMatching(/publicBaseUrl/),
    });
  });

  it('accepts the primary or the secondary auth token (rotation)', async () => {
    const request = {
      headers: { ...FORM, 'x-twilio-signature': DOCS.signature },
      rawBody: form(DOCS.params),
      url: DOCS.url,
    };
    expect(
      await reasonOf(verifyWith(twilio(), request, { secrets: ['new-token-0123456789abcdef', DOCS.token] })),
    ).toBe('accepted');
    expect(
      await reasonOf(verifyWith(twilio(), request, { secrets: [DOCS.token, 'new-token-0123456789abcdef'] })),
    ).toBe('accepted');
  });

  it('refuses a replay under a fresh (unsigned) idempotency header', async () => {
    const base = {
      headers: { ...FORM, 'x-twilio-signature': DOCS.signature },
      rawBody: form(DOCS.params),
      url: DOCS.url,
    };
    const replay = { ...base, headers: { ...base.headers, 'i-twilio-idempotency-token': 'fresh-1' } };
    expect(await secondDeliveryKind(twilio(), base, replay, { secrets: DOCS.token })).toBe('duplicate');
  });

  it('refuses a replay whose form bytes differ but whose signed parameters are the same (trailing &)', async () => {
    const base = {
      headers: { ...FORM, 'x-twilio-signature': DOCS.signature },
      rawBody: form(DOCS.params),
      url: DOCS.url,
    };
    const padded = { ...base, rawBody: `${form(DOCS.params)}&` };
    expect(await reasonOf(verifyWith(twilio(), padded, { secrets: DOCS.token }))).toBe('accepted');
    expect(await secondDeliveryKind(twilio(), base, padded, { secrets: DOCS.token })).toBe('duplicate');
  });

  it('bounds the work before authentication: more than 1,000 form parameters is refused with 413', async () => {
    const many = Array.from({ length: 1_001 }, (_, i) => `p${i}=1`).join('&');
    const request = {
      headers: { ...FORM, 'x-twilio-signature': DOCS.signature },
      rawBody: many,
      url: DOCS.url,
    };
    expect(await reasonOf(verifyWith(twilio(), request, { secrets: DOCS.token }))).toBe('body_too_large');
  });

  it('keys replays on the canonical URL the signature matched: a port or host-case variant is the same delivery', async () => {
    const url = 'https://example.com/x';
    const signature = Twilio.getExpectedTwilioSignature(DOCS.token, url, DOCS.params);
    const at = (variant: string) => ({
      headers: { ...FORM, 'x-twilio-signature': signature },
      rawBody: form(DOCS.params),
      url: variant,
    });
    const limits = { maxHeaderLength: 8192, maxSignatures: 16 };
    const scheme = twilio();
    const replayIdAt = (variant: string) => {
      const rawBody = Buffer.from(form(DOCS.params));
      const parsed = scheme.parse(at(variant).headers, { limits, rawBody, url: variant });
      return scheme.replayId!(parsed, rawBody);
    };
    expect(replayIdAt('https://Example.com:443/x')).toBe(replayIdAt(url));
    for (const variant of [
      'https://example.com:443/x',
      'https://example.com:/x',
      'https://example.com:8443/x',
    ]) {
      expect(await secondDeliveryKind(twilio(), at(url), at(variant), { secrets: DOCS.token })).toBe(
        'duplicate',
      );
    }
    // Another port on a URL signed with that port is another URL.
    const other = 'https://example.com:8443/x';
    const signedOther = {
      ...at(other),
      headers: {
        ...FORM,
        'x-twilio-signature': Twilio.getExpectedTwilioSignature(DOCS.token, other, DOCS.params),
      },
    };
    expect(await secondDeliveryKind(twilio(), at(url), signedOther, { secrets: DOCS.token })).toBe('new');
  });

  it('checks the content type before parsing, and stops parsing a forged form at the parameter cap', () => {
    const limits = { maxHeaderLength: 8192, maxSignatures: 16 };
    const headers = { ...FORM, 'x-twilio-signature': DOCS.signature };
    const capped = Array.from({ length: 1_000 }, (_, i) => `p${i}=1`).join('&');
    const body = Buffer.from(`${capped}&over=1&${'a=1&'.repeat(250_000)}`);
    const decoded = vi.spyOn(body, 'toString');
    expect(() => twilio().parse(headers, { limits, rawBody: body, url: DOCS.url })).toThrow(
      expect.objectContaining({ reason: 'body_too_large' }),
    );
    const read = decoded.mock.calls.map((call) => (call[2] === undefined ? body.length : Number(call[2])));
    expect(Math.max(...read)).toBeLessThanOrEqual(capped.length);

    const json = Buffer.from('{"CallSid":"CA1"}');
    const parsedAsJson = vi.spyOn(json, 'toString');
    const asJson = { ...headers, 'content-type': 'application/json' };
    expect(() => twilio().parse(asJson, { limits, rawBody: json, url: DOCS.url })).toThrow(
      expect.objectContaining({
        reason: 'malformed_header',
        message: expect.stringMatching(/form-urlencoded/),
      }),
    );
    expect(parsedAsJson).not.toHaveBeenCalled();
    // An empty body (a GET-style callback) signs the URL alone, whatever its content type.
    const empty = twilio().parse(
      { 'x-twilio-signature': DOCS.signature },
      { limits, rawBody: Buffer.alloc(0), url: DOCS.url },
    );
    expect(empty.paramsText).toBe('');
  });
});
