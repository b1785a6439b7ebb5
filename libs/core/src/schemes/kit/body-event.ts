import type { ParsedWebhook } from '../webhook-scheme.interface.js';
import { signedContentReplayId } from '../../replay/replay-key.js';
import { bodyIdReplayId } from './json-fields.js';
import { bodyString } from './payload-field.js';

/** Event names longer than this are not dispatched on (senders use a few dozen characters). */
const MAX_EVENT_NAME_LENGTH = 256;
/** Most names one delivery dispatches to: batch senders (Pusher, GoCardless) list one per event. */
const MAX_EVENT_NAMES = 64;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `eventId` and `replayId` from an id in the signed body (`meta.webhook_id`, `event_id`): the id the
 * sender keeps across retries; without one, a digest of the body.
 */
export function bodyIdentity(path: readonly string[]) {
  const idOf = (rawBody: Buffer) => bodyString(rawBody, path);
  return {
    eventId: (_parsed: ParsedWebhook, rawBody: Buffer): string | undefined => idOf(rawBody),
    replayId(_parsed: ParsedWebhook, rawBody: Buffer): string {
      const id = idOf(rawBody);
      return id !== undefined ? bodyIdReplayId(id) : signedContentReplayId(rawBody);
    },
  };
}

/**
 * `eventNames` for batch senders: one name per item of the array at `listPath` of the verified
 * payload, built by `nameOf` (Pusher `events[].name`, GoCardless `events[]` as
 * `resource_type.action`), bounded and de-duplicated.
 */
export const batchEventNames =
  (listPath: readonly string[], nameOf: (item: Record<string, unknown>) => unknown) =>
  (_type: string | undefined, payload: unknown): string[] | undefined => {
    let list: unknown = payload;
    for (const key of listPath) list = isObject(list) ? list[key] : undefined;
    if (!Array.isArray(list)) return undefined;
    const names: string[] = [];
    for (const item of list.slice(0, MAX_EVENT_NAMES)) {
      const name = isObject(item) ? nameOf(item) : undefined;
      if (typeof name !== 'string' || name === '' || name.length > MAX_EVENT_NAME_LENGTH) continue;
      if (!names.includes(name)) names.push(name);
    }
    return names.length === 0 ? undefined : names;
  };
