import { randomBytes } from 'node:crypto';

/** A strong random secret: `whsec_` + base64 of 32 bytes for Standard Webhooks/Svix, else 32 bytes hex. */
export function generateSecret(scheme: string = 'standard-webhooks'): string {
  const bytes = randomBytes(32);
  return scheme === 'standard-webhooks' || scheme === 'svix'
    ? `whsec_${bytes.toString('base64')}`
    : bytes.toString('hex');
}
