import { hmac } from '../hmac.scheme.js';
import { batchEventNames } from '../kit/body-event.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface PusherOptions {
  /** Scheme name for logs and the default endpoint. Default `pusher`. */
  name?: string;
}

/**
 * Pusher Channels: `X-Pusher-Signature` = hex HMAC-SHA256(the app secret as UTF-8, rawBody), as the
 * `pusher` SDK's `WebHook.isValid`; `X-Pusher-Key` names the app key and is not signed (map it to
 * its secret with a resolver when several apps post to one route). No timestamp header; the signed
 * body carries `time_ms`. Replays are keyed on a digest of the body. Handlers are dispatched per
 * event on `events[].name` (`channel_occupied`, `member_added`, ...).
 */
export function pusher(options: PusherOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({ name: options.name ?? 'pusher', signatureHeader: 'x-pusher-signature' }),
    payloadFormat: 'json',
    eventNames: batchEventNames(['events'], (event) => event.name),
  };
}
