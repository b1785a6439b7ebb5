import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { sharedToken } from '../families/shared-token.scheme.js';

export interface TelegramOptions {
  /** Scheme name for logs and the default endpoint. Default `telegram`. */
  name?: string;
}

/** What `setWebhook` accepts as `secret_token`: 1-256 of `A-Z a-z 0-9 _ -`. */
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Telegram Bot API: the `secret_token` given to `setWebhook` is repeated verbatim in
 * `X-Telegram-Bot-Api-Secret-Token` (docs/providers.md#telegram). A shared BEARER SECRET, not a
 * signature: the body is not authenticated beyond TLS. Compared after hashing both sides with
 * SHA-256. Updates are JSON; replays are keyed on a digest of the body (a redelivered update is
 * byte-identical).
 */
export function telegram(options: TelegramOptions = {}): WebhookScheme<Buffer> {
  const name = options.name ?? 'telegram';
  const base = sharedToken({ name, header: 'x-telegram-bot-api-secret-token' });
  return {
    ...base,
    payloadFormat: 'json',
    importKey(secret: string | Buffer): Buffer {
      const text = Buffer.isBuffer(secret) ? secret.toString('utf8') : secret;
      // Telegram refuses any other token in setWebhook, so such a secret can never match.
      if (text !== '' && !SECRET_TOKEN.test(text)) {
        throw new WebhookVerificationError(
          'invalid_secret',
          `The ${name} secret token must be 1-256 characters of A-Z, a-z, 0-9, _ and -.`,
        );
      }
      return base.importKey(secret);
    },
  };
}
