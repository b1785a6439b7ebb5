import { isWebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { hmac } from '../hmac.scheme.js';
import { batchEventNames } from '../kit/body-event.js';
import { jsonObject } from '../kit/json-fields.js';
import type {
  HandshakeReply,
  HandshakeRequest,
  ParseContext,
  ParsedWebhook,
  WebhookScheme,
} from '../webhook-scheme.interface.js';

export interface XeroOptions {
  /** Scheme name for logs and the default endpoint. Default `xero`. */
  name?: string;
}

/**
 * Xero: `x-xero-signature` = base64 HMAC-SHA256(the webhook key as UTF-8, rawBody). No timestamp and
 * no delivery id are sent: replays are keyed on a digest of the body (each batch carries its own
 * `firstEventSequence`/`lastEventSequence`, and each intent-to-receive probe its own `entropy`).
 *
 * Intent to receive: Xero posts signed probes with an empty `events` list and requires 200 with an
 * empty body for a correctly signed one and 401 for an incorrectly signed one. A correctly signed
 * probe is answered here (200, no body; the handler never runs). Every refusal of this scheme is a
 * 401: a signature that is not even well-formed base64 is a wrong signature, not a 400. Xero wants
 * no body in any answer, so refusals and duplicates are answered with their status only
 * (`bodylessAnswers`); the handler should answer 200 with no body too.
 * Handlers are dispatched per event as `<eventCategory>.<eventType>` (`INVOICE.UPDATE`).
 */
export function xero(options: XeroOptions = {}): WebhookScheme<Buffer> {
  const base = hmac({
    name: options.name ?? 'xero',
    signatureHeader: 'x-xero-signature',
    encoding: 'base64',
  });
  return {
    ...base,
    payloadFormat: 'json',
    bodylessAnswers: true,

    parse(headers: WebhookHeaders, context: ParseContext): ParsedWebhook {
      try {
        return base.parse(headers, context);
      } catch (error) {
        // Xero's probe expects 401 for any incorrectly signed payload: an undecodable signature
        // matches no key, which is answered as signature_mismatch (401).
        if (isWebhookVerificationError(error) && error.reason === 'malformed_signature') {
          return { signatures: [] };
        }
        throw error;
      }
    },

    signedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      const events = jsonObject(request.rawBody)?.events;
      return Array.isArray(events) && events.length === 0 ? { status: 200 } : undefined;
    },

    eventNames: batchEventNames(['events'], (event) =>
      typeof event.eventCategory === 'string' && typeof event.eventType === 'string'
        ? `${event.eventCategory}.${event.eventType}`
        : undefined,
    ),
  };
}
