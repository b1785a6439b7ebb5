import type { KeyObject } from 'node:crypto';
import { verify } from 'node:crypto';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import { decodeBase64Url } from '../internal/encoding.js';

/** A compact JWS, split and decoded; nothing in it is trusted until `verifyRs256` says so. */
export interface DecodedJwt {
  readonly header: { readonly alg: string; readonly kid: string };
  readonly claims: Readonly<Record<string, unknown>>;
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Google's and Microsoft's tokens are 1–3 KiB. */
export const MAX_JWT_LENGTH = 8 * 1024;

/**
 * Splits and decodes an RS256 JWT, refusing anything else: only RS256 is accepted (no `none`, no
 * HMAC with a public key as the secret), the key id must be a short printable string.
 */
export function decodeRs256Jwt(token: string, what: string): DecodedJwt {
  const malformed = (why: string) =>
    new WebhookVerificationError('malformed_signature', `The ${what} is not a JWT: ${why}.`);
  if (token.length > MAX_JWT_LENGTH) throw malformed('too long');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part)))
    throw malformed('not three base64url parts');
  const header = jsonPart(parts[0]!);
  const claims = jsonPart(parts[1]!);
  if (header === undefined || claims === undefined) throw malformed('a part is not a JSON object');
  if (header.alg !== 'RS256') throw malformed('the algorithm is not RS256');
  if (typeof header.kid !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(header.kid))
    throw malformed('no key id');
  // Canonical spelling only, so one signature has one text (docs/architecture.md, "Keys that are fetched").
  const signature = decodeBase64Url(parts[2]!);
  if (signature === undefined) throw malformed('the signature is not canonical base64url');
  if (signature.length < 128 || signature.length > 1024)
    throw malformed('the signature has the wrong length');
  return {
    header: { alg: header.alg, kid: header.kid },
    claims,
    signingInput: Buffer.from(`${parts[0]}.${parts[1]}`),
    signature,
  };
}

function jsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** RSASSA-PKCS1-v1_5 with SHA-256 over `header.payload`; false for a key of another type. */
export function verifyRs256(jwt: DecodedJwt, key: KeyObject): boolean {
  if (key.asymmetricKeyType !== 'rsa') return false;
  try {
    return verify('RSA-SHA256', jwt.signingInput, key, jwt.signature);
  } catch {
    return false;
  }
}

/** The JWT's time claims checked against `now` with a leeway, as google-auth-library does (300 s). */
export function checkJwtTimes(
  claims: Readonly<Record<string, unknown>>,
  now: number,
  options: { readonly leewayMs: number; readonly maxLifetimeMs: number; readonly what: string },
): { readonly iat: number | undefined; readonly exp: number } {
  const seconds = (name: string): number | undefined => {
    const value = claims[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new WebhookVerificationError(
        'malformed_signature',
        `The ${options.what} has a bad ${name} claim.`,
      );
    }
    return value * 1000;
  };
  const exp = seconds('exp');
  const iat = seconds('iat');
  const nbf = seconds('nbf');
  if (exp === undefined) {
    throw new WebhookVerificationError('malformed_signature', `The ${options.what} has no exp claim.`);
  }
  if (exp + options.leewayMs < now) {
    throw new WebhookVerificationError('timestamp_expired', `The ${options.what} has expired.`);
  }
  for (const [name, at] of [
    ['iat', iat],
    ['nbf', nbf],
  ] as const) {
    if (at !== undefined && at - options.leewayMs > now) {
      throw new WebhookVerificationError(
        'timestamp_in_future',
        `The ${options.what}'s ${name} is in the future.`,
      );
    }
  }
  if (exp - (iat ?? now) > options.maxLifetimeMs) {
    throw new WebhookVerificationError(
      'timestamp_in_future',
      `The ${options.what} lives longer than allowed.`,
    );
  }
  return { iat, exp };
}
