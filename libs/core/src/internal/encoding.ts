/** Lookup tables by char code: a loop over them is several times faster than a RegExp on every delivery. */
const alphabet = (chars: string) => {
  const table = new Uint8Array(128);
  for (const char of chars) table[char.charCodeAt(0)] = 1;
  return table;
};
const BASE64_CHARS = alphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const BASE64URL_CHARS = alphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
const HEX_CHARS = alphabet('0123456789abcdefABCDEF');
const PADDING = 61; // '='

function allIn(table: Uint8Array, value: string, end: number): boolean {
  for (let index = 0; index < end; index++) {
    const code = value.charCodeAt(index);
    if (code > 127 || table[code] === 0) return false;
  }
  return true;
}

/**
 * Strict base64 decode (`[A-Za-z0-9+/]*` then at most two `=`, length a multiple of 4): Buffer.from()
 * silently skips junk, which would let two inputs decode alike.
 */
export function decodeBase64(value: string): Buffer | undefined {
  if (value.length % 4 !== 0) return undefined;
  let end = value.length;
  if (end > 0 && value.charCodeAt(end - 1) === PADDING) end--;
  if (end > 0 && value.charCodeAt(end - 1) === PADDING) end--;
  return allIn(BASE64_CHARS, value, end) ? Buffer.from(value, 'base64') : undefined;
}

/**
 * `decodeBase64`, and only the one canonical spelling of the bytes (unused trailing bits zero, as
 * every encoder writes them): for signatures, so two strings never decode alike ('AB==' and 'AC=='
 * are both 0x00). Secrets keep `decodeBase64`: a key pasted from a dashboard is not a signature.
 */
export function decodeCanonicalBase64(value: string): Buffer | undefined {
  const bytes = decodeBase64(value);
  return bytes !== undefined && bytes.toString('base64') === value ? bytes : undefined;
}

export function decodeHex(value: string): Buffer | undefined {
  if (value.length % 2 !== 0 || !allIn(HEX_CHARS, value, value.length)) return undefined;
  return Buffer.from(value, 'hex');
}

/**
 * Strict unpadded base64url (RFC 4648 §5, as Sanity sends it): only `[A-Za-z0-9_-]`, and the one
 * canonical spelling of the bytes (unused trailing bits zero), so two strings never decode alike.
 */
export function decodeBase64Url(value: string): Buffer | undefined {
  if (value.length % 4 === 1 || !allIn(BASE64URL_CHARS, value, value.length)) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.toString('base64url') === value ? bytes : undefined;
}

export type SignatureEncoding = 'hex' | 'base64' | 'base64url';

/** A signature in its encoding, canonical spellings only (hex has no other: its case is not bits). */
export function decodeSignature(value: string, encoding: SignatureEncoding): Buffer | undefined {
  if (encoding === 'base64url') return decodeBase64Url(value);
  return encoding === 'hex' ? decodeHex(value) : decodeCanonicalBase64(value);
}
