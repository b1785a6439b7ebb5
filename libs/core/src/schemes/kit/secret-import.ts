import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { hasStrayWhitespace } from '../../secrets/secret.js';

/**
 * Stray whitespace is the most common copy-paste fault, and it silently breaks every signature.
 * `label` names the secret in the message (`stripe secret`); the message never holds the secret.
 */
export function refuseStrayWhitespace(label: string, secret: string): void {
  if (hasStrayWhitespace(secret)) {
    throw new WebhookVerificationError('invalid_secret', `The ${label} has stray whitespace.`);
  }
}

/** A secret string must be non-empty and free of stray whitespace. */
export function checkSecretText(label: string, secret: string): void {
  if (secret === '') throw new WebhookVerificationError('invalid_secret', `The ${label} is empty.`);
  refuseStrayWhitespace(label, secret);
}

/**
 * A UTF-8 secret as most providers use it. An empty key (an unset variable turned into a Buffer)
 * would let anyone sign, so it is always refused.
 */
export function importUtf8Secret(label: string, secret: string | Buffer): Buffer {
  if (Buffer.isBuffer(secret)) {
    if (secret.length === 0) {
      throw new WebhookVerificationError('invalid_secret', `The ${label} is empty.`);
    }
    return secret;
  }
  checkSecretText(label, secret);
  return Buffer.from(secret, 'utf8');
}
