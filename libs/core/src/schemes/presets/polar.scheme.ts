import { decodeBase64 } from '../../internal/encoding.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import type { StandardWebhooksOptions, StandardWebhooksParsed } from '../standard-webhooks.scheme.js';
import { standardWebhooks } from '../standard-webhooks.scheme.js';
import type { SignInput, WebhookScheme } from '../webhook-scheme.interface.js';

/** The HMAC keys one Polar secret stands for, as `@polar-sh/sdk` derives them. */
export interface PolarKey {
  /** The secret's UTF-8 bytes: what Polar signs with. */
  readonly utf8: Buffer;
  /** The bytes a `whsec_`/base64 secret decodes to, when they differ (the SDK accepts them too). */
  readonly decoded: Buffer | undefined;
}

/**
 * Polar: Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,…`
 * over `id.timestamp.body`). The HMAC key is the webhook secret's UTF-8 bytes, as written (not
 * base64-decoded); like `@polar-sh/sdk` `validateEvent`, a secret that is `whsec_`/base64 is also
 * tried decoded. `sign()` uses the UTF-8 key. `webhook-id` keys replays; the body's `type`
 * (`order.paid`, ...) names the event.
 */
export function polar(
  options: Omit<StandardWebhooksOptions, 'secretFormat'> = {},
): WebhookScheme<PolarKey, StandardWebhooksParsed> {
  const name = options.name ?? 'polar';
  const base = standardWebhooks({ ...options, secretFormat: 'raw', name });
  const importKey = (secret: string | Buffer): PolarKey => {
    const utf8 = importUtf8Secret(`${name} secret`, secret);
    const text = utf8.toString('utf8');
    const decoded = decodeBase64(text.startsWith('whsec_') ? text.slice('whsec_'.length) : text);
    return {
      utf8,
      decoded: decoded !== undefined && decoded.length > 0 && !decoded.equals(utf8) ? decoded : undefined,
    };
  };
  return {
    name: base.name,
    payloadFormat: base.payloadFormat,
    signs: base.signs,
    defaultToleranceMs: base.defaultToleranceMs,
    parse: (headers, context) => base.parse(headers, context),
    importKey,
    verify(parsed: StandardWebhooksParsed, rawBody: Buffer, key: PolarKey): boolean {
      // Both keys are checked, so the time does not tell which one matched.
      const asWritten = base.verify(parsed, rawBody, key.utf8);
      const decoded = key.decoded !== undefined && base.verify(parsed, rawBody, key.decoded);
      return asWritten || decoded;
    },
    sign: (input: SignInput) => base.sign({ ...input, secret: importKey(input.secret).utf8 }),
  };
}
