import { hmac } from '../hmac.scheme.js';
import type { HandshakeReply, HandshakeRequest, WebhookScheme } from '../webhook-scheme.interface.js';
import { isMethod } from '../kit/handshake-reply.js';

export interface DropboxOptions {
  /** Scheme name for logs and the default endpoint. Default `dropbox`. */
  name?: string;
}

const MAX_CHALLENGE = 1024;

/**
 * Dropbox — SECONDARY (PROVIDERS.md §34): `X-Dropbox-Signature` = hex HMAC-SHA256(app secret, rawBody).
 * Notifications carry only account ids and no timestamp; replays are caught only while the replay
 * store remembers the body.
 *
 * Handshake: `GET ?challenge=<x>` is answered 200 `text/plain` echoing `x`, with
 * `X-Content-Type-Options: nosniff` (so the echo cannot be sniffed into HTML).
 */
export function dropbox(options: DropboxOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({ name: options.name ?? 'dropbox', signatureHeader: 'x-dropbox-signature' }),
    unsignedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      const challenge = request.query.challenge;
      if (!isMethod(request, 'GET') || challenge === undefined || challenge === '') return undefined;
      if (challenge.length > MAX_CHALLENGE) return undefined;
      return {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
        body: challenge,
      };
    },
  };
}
