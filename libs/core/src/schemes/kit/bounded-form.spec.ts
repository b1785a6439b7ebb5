import fc from 'fast-check';
import { boundedFormEntries, MAX_FORM_PARAMETERS } from './bounded-form.js';

const reference = (body: Buffer) => [...new URLSearchParams(body.toString('utf8'))];

describe('boundedFormEntries()', () => {
  it('reads any form as URLSearchParams reads its UTF-8 text (percent escapes, +, ?, broken UTF-8)', () => {
    const piece = fc.oneof(
      fc.constantFrom('&', '=', '+', '%', '%2', '%41', '%C3%A9', '%e9', '%zz', '?', '&&', '%26', '%3D'),
      fc.string({ maxLength: 6 }),
      fc.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(piece, fc.boolean()), { maxLength: 24 }), (pieces) => {
        const body = Buffer.concat(pieces.map(([text, raw]) => Buffer.from(text, raw ? 'latin1' : 'utf8')));
        expect(boundedFormEntries(body)).toEqual(reference(body));
      }),
      { numRuns: 5_000 },
    );
  });

  it('stops at the cap: refuses with 413 and never reads a byte past the parameter that exceeds it', () => {
    const capped = Array.from({ length: MAX_FORM_PARAMETERS }, (_, i) => `p${i}=1`).join('&');
    const body = Buffer.from(`${capped}&over=1&${'a=1&'.repeat(250_000)}`);
    const stop = capped.length + 1; // where the parameter past the cap starts
    const searched = vi.spyOn(body, 'indexOf');
    const decoded = vi.spyOn(body, 'toString');
    expect(() => boundedFormEntries(body)).toThrow(
      expect.objectContaining({ reason: 'body_too_large', status: 413 }),
    );
    const starts = searched.mock.calls.map((call) => Number(call[1]));
    const ends = decoded.mock.calls.map((call) => Number(call[2]));
    expect(searched).toHaveBeenCalledTimes(MAX_FORM_PARAMETERS);
    expect(Math.max(...starts, ...ends)).toBeLessThan(stop);
    expect(boundedFormEntries(Buffer.from(`${capped}&&&`))).toHaveLength(MAX_FORM_PARAMETERS);
  });
});
