import type { HandshakeReply, HandshakeRequest, WebhookScheme } from '../webhook-scheme.interface.js';
import { urlHmac } from '../families/url-hmac.scheme.js';
import type { UrlHmacParsed } from '../families/url-hmac.scheme.js';
import { isMethod } from '../kit/handshake-reply.js';

export interface TrelloOptions {
  /** Scheme name for logs and the default endpoint. Default `trello`. */
  name?: string;
  /** The callbackURL exactly as registered with Trello. Default: the adapter's public URL. */
  callbackUrl?: string;
}

/**
 * Trello — SECONDARY (the signature format comes from third-party material; PROVIDERS.md §37):
 * `X-Trello-Webhook` = base64 HMAC-SHA1(application secret, rawBody + callbackURL). SHA-1 is
 * Trello's choice. Handshake: Trello sends `HEAD` to the callback URL on registration and needs 200.
 * No timestamp, no id: replays are caught only while the replay store remembers the body.
 */
export function trello(options: TrelloOptions = {}): WebhookScheme<Buffer, UrlHmacParsed> {
  return {
    ...urlHmac({
      name: options.name ?? 'trello',
      header: 'x-trello-webhook',
      algorithm: 'sha1',
      urlPosition: 'after-body',
      url: options.callbackUrl,
    }),
    unsignedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      return isMethod(request, 'HEAD') ? { status: 200 } : undefined;
    },
  };
}
