import { generateKeyPairSync, sign } from 'node:crypto';
import { decodeRs256Jwt, verifyRs256 } from './jwt.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RS256 JWT signed with node:crypto (RFC 7515 compact serialization). */
function token(): string {
  const input = `${part({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${part({ exp: 2_000_000_000 })}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
}

describe('decodeRs256Jwt', () => {
  it('decodes and verifies a signed token', () => {
    const jwt = decodeRs256Jwt(token(), 'token');
    expect(jwt.header.kid).toBe('k1');
    expect(verifyRs256(jwt, publicKey)).toBe(true);
  });

  it('refuses a signature spelled non-canonically (unused trailing bits set), which Buffer.from would accept', () => {
    const good = token();
    const signature = good.slice(good.lastIndexOf('.') + 1);
    // 256 bytes → 342 base64url chars: the last carries 4 unused bits, so flipping its low bit decodes alike.
    expect(signature.length % 4).toBe(2);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1)!);
    const forged = `${good.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(forged.slice(forged.lastIndexOf('.') + 1), 'base64url')).toEqual(
      Buffer.from(signature, 'base64url'),
    );
    expect(() => decodeRs256Jwt(forged, 'token')).toThrow(/not canonical base64url/);
  });
});
