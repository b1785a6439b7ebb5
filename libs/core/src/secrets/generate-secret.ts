import { randomBytes } from 'node:crypto';

const STANDARD_FAMILY = new Set([
  'standard-webhooks',
  'standard',
  'svix',
  'clerk',
  'resend',
  'openai',
  'replicate',
  'dodo-payments',
]);

/**
 * A strong random secret (32 bytes) in the scheme's usual format: `whsec_` + base64 for Standard
 * Webhooks and Svix-based senders (they base64-decode it), `whsec_` + hex for Stripe (used as
 * written), hex for the rest.
 */
export function generateSecret(scheme: string = 'standard-webhooks'): string {
  const bytes = randomBytes(32);
  if (STANDARD_FAMILY.has(scheme)) return `whsec_${bytes.toString('base64')}`;
  if (scheme === 'stripe') return `whsec_${bytes.toString('hex')}`;
  return bytes.toString('hex');
}
