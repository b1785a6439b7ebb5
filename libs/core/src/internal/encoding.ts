const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX = /^[0-9a-fA-F]*$/;

/** Strict base64 decode: Buffer.from() silently skips junk, which would let two inputs decode alike. */
export function decodeBase64(value: string): Buffer | undefined {
  if (value.length % 4 !== 0 || !BASE64.test(value)) return undefined;
  return Buffer.from(value, 'base64');
}

export function decodeHex(value: string): Buffer | undefined {
  if (value.length % 2 !== 0 || !HEX.test(value)) return undefined;
  return Buffer.from(value, 'hex');
}

export type SignatureEncoding = 'hex' | 'base64';

export function decodeSignature(value: string, encoding: SignatureEncoding): Buffer | undefined {
  return encoding === 'hex' ? decodeHex(value) : decodeBase64(value);
}
