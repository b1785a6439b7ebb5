import { readHeader } from '../../internal/headers.js';
import type { HandshakeReply, HandshakeRequest, WebhookScheme } from '../webhook-scheme.interface.js';
import { sharedToken } from '../families/shared-token.scheme.js';
import { echoableValue, isMethod } from '../kit/handshake-reply.js';

export interface OktaOptions {
  /** Scheme name for logs and the default endpoint. Default `okta`. */
  name?: string;
  /** The header you configured on the event hook. Default `authorization`. */
  header?: string;
}

const CHALLENGE = 'x-okta-verification-challenge';

/**
 * Okta event hooks — SECONDARY (PROVIDERS.md §31): Okta sends the header value you configured on
 * the hook (e.g. `Authorization: <secret>`) verbatim. A shared BEARER SECRET, not a signature: the
 * body is not authenticated beyond TLS. Compared after hashing both sides with SHA-256.
 *
 * Handshake: the one-time verification `GET` with `X-Okta-Verification-Challenge` is answered
 * 200 JSON `{"verification": <value>}`.
 */
export function okta(options: OktaOptions = {}): WebhookScheme<Buffer> {
  return {
    ...sharedToken({ name: options.name ?? 'okta', header: options.header ?? 'authorization' }),
    unsignedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      if (!isMethod(request, 'GET')) return undefined;
      const verification = echoableValue(readHeader(request.headers, CHALLENGE));
      return verification === undefined ? undefined : { status: 200, body: { verification } };
    },
  };
}
