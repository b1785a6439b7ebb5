import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';

/** DER prefixes that wrap a raw 32-byte ed25519 key (RFC 8410) so node:crypto can import it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export const ED25519_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** A public KeyObject from the raw 32 bytes; undefined when the bytes are not a usable key. */
export function ed25519PublicKey(raw: Buffer): KeyObject | undefined {
  if (raw.length !== ED25519_KEY_BYTES) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/** A private KeyObject from the raw 32-byte seed. */
export function ed25519PrivateKey(seed: Buffer): KeyObject | undefined {
  if (seed.length !== ED25519_KEY_BYTES) return undefined;
  try {
    return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
}

/**
 * A private KeyObject from a 32-byte seed, or from 64 bytes of seed followed by its public key
 * (the Svix / libsodium layout; the public half must belong to the seed). Undefined otherwise.
 */
export function ed25519SecretKey(raw: Buffer | undefined): KeyObject | undefined {
  if (raw === undefined || (raw.length !== ED25519_KEY_BYTES && raw.length !== 2 * ED25519_KEY_BYTES)) {
    return undefined;
  }
  const key = ed25519PrivateKey(raw.subarray(0, ED25519_KEY_BYTES));
  if (key === undefined) return undefined;
  if (
    raw.length === 2 * ED25519_KEY_BYTES &&
    !ed25519RawPublicKey(key).equals(raw.subarray(ED25519_KEY_BYTES))
  ) {
    return undefined;
  }
  return key;
}

/** `ed25519PublicKey` of decoded secret bytes, or `invalid_secret` with the given message. */
export function importEd25519PublicKey(raw: Buffer | undefined, invalidMessage: string): KeyObject {
  const key = raw === undefined ? undefined : ed25519PublicKey(raw);
  if (key === undefined) throw new WebhookVerificationError('invalid_secret', invalidMessage);
  return key;
}

/** `ed25519SecretKey` of decoded secret bytes, or `invalid_secret` with the given message. */
export function importEd25519SecretKey(raw: Buffer | undefined, invalidMessage: string): KeyObject {
  const key = ed25519SecretKey(raw);
  if (key === undefined) throw new WebhookVerificationError('invalid_secret', invalidMessage);
  return key;
}

/** The signed message of schemes that sign a text prefix followed by the raw body. */
export const prefixedMessage = (prefix: string, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from(prefix, 'utf8'), body]);

/** The raw 32 bytes of an ed25519 public (or private, via its public half) key. */
export function ed25519RawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

export const isEd25519Key = (key: unknown): key is KeyObject =>
  typeof key === 'object' &&
  key !== null &&
  !Buffer.isBuffer(key) &&
  (key as KeyObject).asymmetricKeyType === 'ed25519';

/**
 * True when any signature is valid for the message. Every candidate is checked (no early exit),
 * as for MACs; malformed candidates count as invalid.
 */
export function anyEd25519SignatureValid(
  message: Buffer,
  publicKey: KeyObject,
  signatures: readonly Buffer[],
): boolean {
  let valid = false;
  for (const signature of signatures) {
    if (signature.length !== ED25519_SIGNATURE_BYTES) continue;
    if (verify(null, message, publicKey, signature)) valid = true;
  }
  return valid;
}

export const ed25519Sign = (message: Buffer, privateKey: KeyObject): Buffer =>
  sign(null, message, privateKey);
