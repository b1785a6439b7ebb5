import { hmac } from '../hmac.scheme.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface HerokuOptions {
  /** Scheme name for logs and the default endpoint. Default `heroku`. */
  name?: string;
}

/**
 * Heroku app webhooks: `Heroku-Webhook-Hmac-SHA256` = base64 HMAC-SHA256(the webhook's secret as
 * UTF-8, rawBody). No timestamp; replays are keyed on a digest of the body. Handlers are
 * dispatched on `<resource>.<action>` of the body (`release.create`, `build.update`).
 */
export function heroku(options: HerokuOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'heroku',
      signatureHeader: 'heroku-webhook-hmac-sha256',
      encoding: 'base64',
    }),
    payloadFormat: 'json',
    eventNames(type: string | undefined, payload: unknown): string[] | undefined {
      const body =
        typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
      return typeof body.resource === 'string' && typeof body.action === 'string'
        ? [`${body.resource}.${body.action}`]
        : type === undefined
          ? undefined
          : [type];
    },
  };
}
