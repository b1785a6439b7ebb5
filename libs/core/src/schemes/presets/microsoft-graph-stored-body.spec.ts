import { microsoftGraph, REDACTED_CLIENT_STATE } from './microsoft-graph.scheme.js';

const SECRET = 'graph-client-state-stored-0123456789';
const scheme = microsoftGraph();

describe('microsoftGraph().storedBody: the body as it may be stored, without the clientState', () => {
  it('replaces every clientState with the marker and keeps the other bytes as sent', () => {
    const raw = `{ "value": [ {"clientState" : "${SECRET}", "resource":"users/1"},\n{"resource":"users/2","clientState":"${SECRET}"} ] }`;
    const stored = scheme.storedBody!(Buffer.from(raw)).toString('utf8');
    expect(stored).not.toContain(SECRET);
    expect(stored).toBe(
      `{ "value": [ {"clientState":"${REDACTED_CLIENT_STATE}", "resource":"users/1"},\n{"resource":"users/2","clientState":"${REDACTED_CLIENT_STATE}"} ] }`,
    );
  });

  it('handles escaped quotes inside a clientState', () => {
    const raw = JSON.stringify({ value: [{ clientState: 'a"b\\c', resource: 'r' }] });
    const stored = scheme.storedBody!(Buffer.from(raw)).toString('utf8');
    expect(JSON.parse(stored)).toEqual({ value: [{ clientState: REDACTED_CLIENT_STATE, resource: 'r' }] });
  });

  it('fails closed on an escaped member name: the body is written anew without the secret', () => {
    const raw = `{"value":[{"client\\u0053tate":"${SECRET}","resource":"r"}],"x":1}`;
    expect(JSON.parse(raw).value[0].clientState).toBe(SECRET);
    const stored = scheme.storedBody!(Buffer.from(raw)).toString('utf8');
    expect(stored).not.toContain(SECRET);
    expect(JSON.parse(stored)).toEqual({
      value: [{ clientState: REDACTED_CLIENT_STATE, resource: 'r' }],
      x: 1,
    });
  });

  it('changes nothing in a body without a clientState', () => {
    const raw = Buffer.from('{"value":[{"resource":"r"}]}');
    expect(scheme.storedBody!(raw).equals(raw)).toBe(true);
  });
});
