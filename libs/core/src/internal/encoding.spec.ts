import {
  decodeBase64,
  decodeBase64Url,
  decodeCanonicalBase64,
  decodeHex,
  decodeSignature,
} from './encoding.js';

// The rules as regular expressions: the decoders must accept exactly these strings.
const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const STRICT_HEX = /^[0-9a-fA-F]*$/;
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const JUNK = '=-_ .\n\0é€gG';

/** Mostly valid strings over `alphabet`, with junk and padding dropped in at random places. */
function randomString(length: number, alphabet: string, seed: { value: number }): string {
  const next = () => (seed.value = (seed.value * 1_103_515_245 + 12_345) % 2 ** 31);
  let text = '';
  for (let index = 0; index < length; index++) {
    const pick = next();
    text += pick % 20 === 0 ? JUNK[pick % JUNK.length] : alphabet[pick % alphabet.length];
  }
  if (next() % 3 === 0) text = text.slice(0, Math.max(0, length - 1 - (next() % 2))).padEnd(length, '=');
  return text;
}

describe('decodeBase64', () => {
  it('decodes canonical base64 and padding', () => {
    expect(decodeBase64('aGVsbG8=')?.toString()).toBe('hello');
    expect(decodeBase64('aGk=')?.toString()).toBe('hi');
    expect(decodeBase64('aGV5')?.toString()).toBe('hey');
    expect(decodeBase64('')?.length).toBe(0);
  });

  it.each([
    'aGVsbG8',
    'aGVs bG8=',
    'aGVs-G8=',
    'aGVs_G8=',
    'a===',
    '====',
    '=aGk',
    'aG=k',
    'aGVsbG8=\n',
    'aGVsbG€=',
  ])('refuses %j', (value) => {
    expect(decodeBase64(value)).toBeUndefined();
  });

  it('accepts exactly what the strict rule accepts, over 20,000 random strings', () => {
    const seed = { value: 7 };
    let accepted = 0;
    for (let round = 0; round < 20_000; round++) {
      const value = randomString(round % 2 === 0 ? 44 : round % 13, BASE64_ALPHABET, seed);
      const expected = value.length % 4 === 0 && STRICT_BASE64.test(value);
      accepted += expected ? 1 : 0;
      expect(decodeBase64(value) !== undefined, value).toBe(expected);
    }
    // Both sides of the rule are exercised.
    expect(accepted).toBeGreaterThan(1_000);
    expect(accepted).toBeLessThan(18_000);
  });
});

describe('decodeHex', () => {
  it('decodes either case and refuses odd lengths and junk', () => {
    expect(decodeHex('DEADbeef')).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(decodeHex('abc')).toBeUndefined();
    expect(decodeHex('zz')).toBeUndefined();
    expect(decodeHex('ab cd')).toBeUndefined();
  });

  it('accepts exactly what the strict rule accepts, over 20,000 random strings', () => {
    const seed = { value: 11 };
    for (let round = 0; round < 20_000; round++) {
      const value = randomString(round % 9, '0123456789abcdefABCDEF', seed);
      const expected = value.length % 2 === 0 && STRICT_HEX.test(value);
      expect(decodeHex(value) !== undefined, value).toBe(expected);
    }
  });
});

describe('decodeBase64Url', () => {
  it('decodes unpadded base64url and refuses padding, the standard alphabet and non-canonical spellings', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf]);
    expect(decodeBase64Url('-_-_')).toEqual(bytes);
    expect(decodeBase64Url(Buffer.alloc(32, 0xff).toString('base64url'))).toEqual(Buffer.alloc(32, 0xff));
    expect(decodeBase64Url('+/+/')).toBeUndefined();
    expect(decodeBase64Url('AA==')).toBeUndefined();
    expect(decodeBase64Url('A')).toBeUndefined();
    // "AB" and "AA" both decode to one zero byte in Node; only the canonical "AA" is accepted.
    expect(decodeBase64Url('AA')).toEqual(Buffer.from([0]));
    expect(decodeBase64Url('AB')).toBeUndefined();
  });
});

describe('decodeCanonicalBase64 (signatures)', () => {
  it("refuses a spelling with unused bits set: 'AB==' and 'AC==' are both 0x00 to decodeBase64", () => {
    expect(decodeBase64('AB==')).toEqual(Buffer.from([0]));
    expect(decodeBase64('AC==')).toEqual(Buffer.from([0]));
    expect(decodeCanonicalBase64('AA==')).toEqual(Buffer.from([0]));
    expect(decodeCanonicalBase64('AB==')).toBeUndefined();
    expect(decodeCanonicalBase64('AC==')).toBeUndefined();
    expect(decodeCanonicalBase64('aGk=')?.toString()).toBe('hi');
    expect(decodeCanonicalBase64('aGl=')).toBeUndefined();
    expect(decodeSignature('AB==', 'base64')).toBeUndefined();
    expect(decodeCanonicalBase64('not base64!')).toBeUndefined();
  });

  it('accepts every canonical encoding: 0–300 random bytes, as providers send them', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = Buffer.from(Array.from({ length }, (_, index) => (index * 131 + length * 7) % 256));
      expect(decodeCanonicalBase64(bytes.toString('base64'))).toEqual(bytes);
      expect(decodeSignature(bytes.toString('base64'), 'base64')).toEqual(bytes);
    }
  });
});
