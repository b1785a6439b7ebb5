import { dropbox } from '../schemes/presets/dropbox.scheme.js';
import { standardWebhooks } from '../schemes/standard-webhooks.scheme.js';
import { handshakeQuery } from './handshake-query.js';

/** A request whose query getter counts its reads, as Express 5's parses the URL on each one. */
function countingRequest(query: unknown) {
  const request = { reads: 0 };
  Object.defineProperty(request, 'query', {
    get: () => {
      request.reads++;
      return query;
    },
  });
  return request as { reads: number; query?: unknown };
}

describe('handshakeQuery', () => {
  it('never reads the query for a scheme without handshakes', () => {
    const request = countingRequest({ challenge: 'x' });
    expect(handshakeQuery(standardWebhooks(), () => request.query)).toBeUndefined();
    expect(request.reads).toBe(0);
  });

  it("keeps a handshake scheme's string parameters only", () => {
    const request = countingRequest({ challenge: 'abc', list: ['a', 'b'] });
    expect(handshakeQuery(dropbox(), () => request.query)).toEqual({ challenge: 'abc', list: undefined });
    expect(request.reads).toBe(1);
    expect(handshakeQuery(dropbox(), () => countingRequest(undefined).query)).toEqual({});
  });
});
