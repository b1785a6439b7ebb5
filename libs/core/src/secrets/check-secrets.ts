import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import { MIN_SECRET_BYTES, toSecretList } from './secret.js';
import type { SecretResolver } from './secret-resolver.interface.js';

export interface SecretCheckReport {
  /** Secrets that can never verify anything (bad encoding, whitespace): refuse to start. */
  readonly errors: string[];
  /** Secrets that work but are weak (short). */
  readonly warnings: string[];
}

/**
 * Boot-time check of the secrets a resolver can name. Messages say where the secret
 * is used and what is wrong with it, never the secret.
 */
export function checkSecrets(
  scheme: AnyWebhookScheme,
  resolver: SecretResolver,
  endpoint: string,
): SecretCheckReport {
  const report: SecretCheckReport = { errors: [], warnings: [] };
  for (const known of resolver.knownSecrets?.() ?? []) {
    if (known.endpoint !== undefined && known.endpoint !== endpoint) continue;
    if (known.secret === undefined) {
      report.errors.push(
        `The secret for ${known.where} on endpoint ${endpoint} is undefined (an unset environment variable?).`,
      );
      continue;
    }
    for (const secret of toSecretList(known.secret)) {
      const label = secret.label ? ` (${secret.label})` : '';
      try {
        const key = scheme.importKey(secret.value);
        const bytes = Buffer.isBuffer(key) ? key.length : undefined;
        if (bytes === 0) {
          report.errors.push(`The secret for ${known.where}${label} on endpoint ${endpoint} is empty.`);
        } else if (bytes !== undefined && bytes < MIN_SECRET_BYTES) {
          report.warnings.push(
            `The secret for ${known.where}${label} on endpoint ${endpoint} has only ${bytes} bytes; use at least ${MIN_SECRET_BYTES} random bytes.`,
          );
        }
      } catch (error) {
        const why = error instanceof WebhookVerificationError ? error.message : 'it cannot be read';
        report.errors.push(
          `The secret for ${known.where}${label} on endpoint ${endpoint} is unusable: ${why}`,
        );
      }
    }
  }
  return report;
}
