import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { urlHmac } from '../families/url-hmac.scheme.js';
import type { UrlHmacParsed } from '../families/url-hmac.scheme.js';
import { jsonObject, MAX_BODY_ID_LENGTH, stringField } from '../kit/json-fields.js';

export interface SquareOptions {
  /** Scheme name for logs and the default endpoint. Default `square`. */
  name?: string;
  /**
   * The notification URL exactly as entered in the Square Developer Console. Default: the public
   * URL the adapter derives from `publicBaseUrl` (never from the Host header).
   */
  notificationUrl?: string;
}

/**
 * Square: `x-square-hmacsha256-signature` = base64 HMAC-SHA256(signature key as UTF-8,
 * notificationUrl + rawBody). No timestamp: a captured delivery verifies forever, and replays are
 * caught only while the replay store remembers the body's `event_id`.
 */
export function square(options: SquareOptions = {}): WebhookScheme<Buffer, UrlHmacParsed> {
  const scheme = urlHmac({
    name: options.name ?? 'square',
    header: 'x-square-hmacsha256-signature',
    algorithm: 'sha256',
    urlPosition: 'before-body',
    url: options.notificationUrl,
  });
  const eventIdOf = (rawBody: Buffer) =>
    stringField(jsonObject(rawBody), 'event_id', MAX_BODY_ID_LENGTH, { numbers: true });
  return {
    ...scheme,
    eventId: (_parsed: UrlHmacParsed, rawBody: Buffer) => eventIdOf(rawBody),
    replayId(_parsed: UrlHmacParsed, rawBody: Buffer): string | undefined {
      const id = eventIdOf(rawBody);
      return id === undefined ? undefined : `id:${id}`;
    },
  };
}
