import { hmac } from '../hmac.scheme.js';
import { payloadString } from '../kit/payload-field.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface HerokuOptions {
  /** Scheme name for logs and the default endpoint. Default `heroku`. */
  name?: string;
}

/**
 * Heroku app webhooks: `Heroku-Webhook-Hmac-SHA256` = base64 HMAC-SHA256(the webhook's secret as
 * UTF-8, rawBody). No timestamp; replays are keyed on a digest of the body. The event
 * type is `<resource>.<action>` of the body (`release.create`, `build.update`).
 */
export function heroku(options: HerokuOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'heroku',
      signatureHeader: 'heroku-webhook-hmac-sha256',
      encoding: 'base64',
    }),
    payloadFormat: 'json',
    eventType(payload: unknown): string | undefined {
      const resource = payloadString(payload, ['resource']);
      const action = payloadString(payload, ['action']);
      return resource !== undefined && action !== undefined ? `${resource}.${action}` : undefined;
    },
  };
}
