import type { KeyObject } from 'node:crypto';
import { createPublicKey, X509Certificate } from 'node:crypto';

/** Public keys by key id, as parsed from a provider's key document. */
export type KeySet = ReadonlyMap<string, KeyObject>;

const MAX_KEYS = 32;

/** Google's `oauth2/v1/certs`: `{ "<kid>": "-----BEGIN CERTIFICATE-----…" }`. Throws when malformed. */
export function parsePemCertificateMap(body: Buffer): KeySet {
  const document: unknown = JSON.parse(body.toString('utf8'));
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error('the certificate document is not a JSON object');
  }
  const keys = new Map<string, KeyObject>();
  for (const [kid, pem] of Object.entries(document).slice(0, MAX_KEYS)) {
    if (typeof pem !== 'string') continue;
    keys.set(kid, new X509Certificate(pem).publicKey);
  }
  if (keys.size === 0) throw new Error('the certificate document has no certificates');
  return keys;
}

/** A JWKS (`{ "keys": [{ "kty": "RSA", "kid", "n", "e", … }] }`): its RSA signing keys. Throws when malformed. */
export function parseJwks(body: Buffer): KeySet {
  const document = JSON.parse(body.toString('utf8')) as { keys?: unknown };
  if (!Array.isArray(document?.keys)) throw new Error('the key document has no keys array');
  const keys = new Map<string, KeyObject>();
  for (const jwk of document.keys.slice(0, MAX_KEYS) as Record<string, unknown>[]) {
    if (
      jwk?.kty !== 'RSA' ||
      typeof jwk.kid !== 'string' ||
      typeof jwk.n !== 'string' ||
      typeof jwk.e !== 'string'
    ) {
      continue;
    }
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    keys.set(jwk.kid, createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }));
  }
  if (keys.size === 0) throw new Error('the key document has no RSA signing keys');
  return keys;
}

/** An X.509 certificate in PEM (an SNS signing certificate): its public key. Throws when malformed. */
export function parsePemCertificate(body: Buffer): KeyObject {
  return new X509Certificate(body).publicKey;
}
