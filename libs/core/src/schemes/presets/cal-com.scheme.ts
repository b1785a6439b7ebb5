import { hmac } from '../hmac.scheme.js';
import { eventTypeAt } from '../kit/payload-field.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface CalComOptions {
  /** Scheme name for logs and the default endpoint. Default `cal-com`. */
  name?: string;
}

/**
 * Cal.com: `X-Cal-Signature-256` = hex HMAC-SHA256(the webhook's secret as UTF-8, rawBody), no
 * prefix. A webhook saved without a secret sends `no-secret-provided` there, which is refused (set a
 * secret in Cal.com). No timestamp; replays are keyed on a digest of the body. The event
 * type is the body's `triggerEvent` (`BOOKING_CREATED`, ...).
 */
export function calCom(options: CalComOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({ name: options.name ?? 'cal-com', signatureHeader: 'x-cal-signature-256' }),
    payloadFormat: 'json',
    eventType: eventTypeAt('triggerEvent'),
  };
}
