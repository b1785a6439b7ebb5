/** Signed content as callers hand it over: text (as UTF-8) or raw bytes. */
export type Bytes = string | Buffer;

export const toBuffer = (body: Bytes): Buffer => (Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
