import { derivedPublicUrl, publicUrl } from './public-url.js';

describe('publicUrl()', () => {
  it('keeps the base path and takes only the path from the request', () => {
    expect(publicUrl('https://hooks.example.com/api/', '/twilio/sms?x=1')).toBe(
      'https://hooks.example.com/api/twilio/sms?x=1',
    );
    expect(() => publicUrl('https://hooks.example.com', 'https://evil.example:1/twilio/sms')).toThrow(
      /not a path/,
    );
    expect(() => publicUrl('https://hooks.example.com', '//evil.example/twilio/sms')).toThrow(/not a path/);
  });
});

describe('derivedPublicUrl()', () => {
  const proxied = { trustProxyHeaders: true };

  it('prefers publicBaseUrl over any header', () => {
    const headers = { 'x-forwarded-host': 'evil.example', host: 'evil.example' };
    expect(
      derivedPublicUrl(headers, '/hook', { publicBaseUrl: 'https://hooks.example.com', ...proxied }),
    ).toBe('https://hooks.example.com/hook');
  });

  it('reads nothing from headers unless trustProxyHeaders says a proxy sets them', () => {
    expect(derivedPublicUrl({ 'x-forwarded-host': 'hooks.example.com' }, '/hook', {})).toBeUndefined();
  });

  it('takes the last X-Forwarded-Host and -Proto entries, the ones the proxy added', () => {
    const headers = {
      'x-forwarded-host': 'client-chosen.example, hooks.example.com',
      'x-forwarded-proto': 'http, https',
    };
    expect(derivedPublicUrl(headers, '/hook', proxied)).toBe('https://hooks.example.com/hook');
    const repeated = { 'x-forwarded-host': ['client-chosen.example', 'Hooks.Example.com'] };
    expect(derivedPublicUrl(repeated, '/hook', proxied)).toBe('https://hooks.example.com/hook');
  });

  it('falls back to Host only when told to', () => {
    const headers = { host: 'hooks.example.com' };
    expect(derivedPublicUrl(headers, '/hook', proxied)).toBeUndefined();
    expect(derivedPublicUrl(headers, '/hook', { ...proxied, trustHostHeader: true })).toBe(
      'https://hooks.example.com/hook',
    );
  });

  it('refuses hosts that are not host names, and hosts outside allowedHosts', () => {
    expect(() => derivedPublicUrl({ 'x-forwarded-host': 'a/b@c' }, '/hook', proxied)).toThrow(/not a host/);
    expect(() =>
      derivedPublicUrl({ 'x-forwarded-host': 'hooks.example.com:8443' }, '/hook', {
        ...proxied,
        allowedHosts: ['hooks.example.com'],
      }),
    ).toThrow(/not an allowed host/);
    expect(() =>
      derivedPublicUrl({ 'x-forwarded-host': 'h.example', 'x-forwarded-proto': 'gopher' }, '/', proxied),
    ).toThrow(/neither http nor https/);
  });
});
