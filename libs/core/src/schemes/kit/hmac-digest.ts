import { createHash, createHmac } from 'node:crypto';
import type { Bytes } from './bytes.js';

/** HMAC over several parts in order, without building one big string. */
export function hmacOf(algorithm: string, key: Buffer, ...parts: Bytes[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export const sha256 = (...parts: Bytes[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
