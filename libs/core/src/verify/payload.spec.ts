import { parsePayload, payloadFormat } from './payload.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('parsePayload', () => {
  it('reads by the content type for a scheme that defines no payload format: text stays text', () => {
    expect(parsePayload(bytes('{"a":1}'), payloadFormat('text/plain'))).toBe('{"a":1}');
    expect(parsePayload(bytes('a=1'), payloadFormat('application/x-www-form-urlencoded'))).toEqual({
      a: '1',
    });
    expect(parsePayload(bytes('{"a":1}'), payloadFormat(undefined))).toEqual({ a: 1 });
  });

  it("reads JSON for a JSON-only scheme whatever the content type says, and unwraps GitHub's payload= form", () => {
    const jsonOnly = (contentType: string) => payloadFormat(contentType, { payloadFormat: 'json' });
    expect(parsePayload(bytes('{"a":1}'), jsonOnly('text/plain'))).toEqual({ a: 1 });
    const form = `payload=${encodeURIComponent('{"a":1}')}`;
    expect(parsePayload(bytes(form), jsonOnly('application/x-www-form-urlencoded'))).toEqual({ a: 1 });
  });

  it('unwraps only a form of exactly one payload field holding JSON; anything else stays the text', () => {
    const jsonOnly = payloadFormat('application/x-www-form-urlencoded', { payloadFormat: 'json' });
    for (const text of ['payload=%7B%22a%22%3A1%7D&x=1', 'payload=not-json', 'other=1']) {
      expect(parsePayload(bytes(text), jsonOnly)).toBe(text);
    }
  });

  it('drops __proto__ keys and a constructor carrying a prototype from the parsed payload', () => {
    const payload = parsePayload(
      bytes('{"__proto__":{"x":1},"constructor":{"prototype":{"x":1}},"ok":{"__proto__":2}}'),
      'json',
    ) as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(['ok']);
    expect(Object.keys(payload.ok as object)).toEqual([]);
  });
});
