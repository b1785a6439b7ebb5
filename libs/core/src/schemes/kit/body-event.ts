import type { ParsedWebhook } from '../webhook-scheme.interface.js';
import { signedContentReplayId } from '../../replay/replay-key.js';
import { bodyIdReplayId, jsonObject, MAX_BODY_ID_LENGTH, stringField } from './json-fields.js';

/** Event names longer than this are not dispatched on (senders use a few dozen characters). */
const MAX_EVENT_NAME_LENGTH = 256;
/** Most names one delivery dispatches to: batch senders (Pusher, GoCardless) list one per event. */
const MAX_EVENT_NAMES = 64;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The object at a dotted path of a parsed body (`webhook_metadata.event`), else undefined. */
export function objectAt(value: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let current: unknown = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return isObject(current) ? current : undefined;
}

/** The string at `path` (last element the field) in the verified raw body, bounded; else undefined. */
export function bodyString(rawBody: Buffer, path: readonly string[]): string | undefined {
  const field = path[path.length - 1]!;
  return stringField(objectAt(jsonObject(rawBody), path.slice(0, -1)), field, MAX_BODY_ID_LENGTH, {
    numbers: true,
  });
}

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

/** A bounded, de-duplicated list of non-empty names. */
function names(candidates: readonly unknown[]): string[] | undefined {
  const out: string[] = [];
  for (const candidate of candidates) {
    if (out.length === MAX_EVENT_NAMES) break;
    if (typeof candidate !== 'string' || candidate === '' || candidate.length > MAX_EVENT_NAME_LENGTH)
      continue;
    if (!out.includes(candidate)) out.push(candidate);
  }
  return out.length === 0 ? undefined : out;
}

/**
 * `eventNames` for senders that name the event in a body field other than `type` (Razorpay `event`,
 * Cal.com `triggerEvent`): handlers are dispatched on that field of the verified payload.
 */
export const bodyFieldEventNames =
  (field: string) =>
  (type: string | undefined, payload: unknown): string[] | undefined =>
    names([isObject(payload) ? payload[field] : undefined, type]);

/**
 * `eventNames` for batch senders: one name per item of the array at `listPath`, built by `nameOf`
 * (Pusher `events[].name`, GoCardless `events[]` as `resource_type.action`).
 */
export const batchEventNames =
  (listPath: readonly string[], nameOf: (item: Record<string, unknown>) => unknown) =>
  (_type: string | undefined, payload: unknown): string[] | undefined => {
    const parent = objectAt(payload, listPath.slice(0, -1));
    const list = parent?.[listPath[listPath.length - 1]!];
    if (!Array.isArray(list)) return undefined;
    return names(list.slice(0, MAX_EVENT_NAMES).map((item) => (isObject(item) ? nameOf(item) : undefined)));
  };
