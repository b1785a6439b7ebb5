import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { readHeader } from '../../internal/headers.js';
import { hmac } from '../hmac.scheme.js';
import type { HandshakeReply, HandshakeRequest, WebhookScheme } from '../webhook-scheme.interface.js';
import { echoableValue, isMethod } from '../kit/handshake-reply.js';

export interface AsanaOptions {
  /**
   * Called with the `X-Hook-Secret` of a handshake; store it as this endpoint's secret and return
   * `true` to confirm. Anything else (`false`, nothing, an error) refuses it with 401. REQUIRED, and
   * it must refuse unless your app is itself creating a webhook right now: the handshake is
   * unauthenticated, so anyone can send one, and a hook that stores every secret lets anyone choose
   * the key that signs your events. May be async (a database write).
   */
  onHandshake: (secret: string, request: HandshakeRequest) => boolean | Promise<boolean>;
  /** Scheme name for logs and the default endpoint. Default `asana`. */
  name?: string;
}

const SECRET = 'x-hook-secret';
const SIGNATURE = 'x-hook-signature';

/**
 * Asana — signature SECONDARY (PROVIDERS.md §38): `X-Hook-Signature` = hex HMAC-SHA256(the
 * `X-Hook-Secret` received in the handshake, rawBody). No timestamp.
 *
 * Handshake: on webhook creation Asana POSTs with `X-Hook-Secret` and no signature; `onHandshake`
 * decides, and the reply is 200 echoing `X-Hook-Secret`. A refused handshake is a 401.
 */
export function asana(options: AsanaOptions): WebhookScheme<Buffer> {
  if (typeof options?.onHandshake !== 'function') {
    throw new Error(
      'asana(): onHandshake is required: it stores the X-Hook-Secret of the handshake (or refuses it).',
    );
  }
  return {
    ...hmac({ name: options.name ?? 'asana', signatureHeader: SIGNATURE }),
    async unsignedHandshake(request: HandshakeRequest): Promise<HandshakeReply | undefined> {
      if (!isMethod(request, 'POST') || readHeader(request.headers, SIGNATURE) !== undefined)
        return undefined;
      const raw = readHeader(request.headers, SECRET);
      if (raw === undefined) return undefined;
      const secret = echoableValue(raw);
      if (secret === undefined) {
        throw new WebhookVerificationError('malformed_header', `Header ${SECRET} is malformed.`);
      }
      // Only an explicit `true` confirms: a hook that forgets to decide must not install a stranger's key.
      if ((await options.onHandshake(secret, request)) !== true) {
        throw new WebhookVerificationError('missing_signature', 'The Asana handshake was refused.');
      }
      return { status: 200, headers: { [SECRET]: secret } };
    },
  };
}
