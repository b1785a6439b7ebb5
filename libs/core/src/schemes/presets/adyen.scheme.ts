import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeCanonicalBase64, decodeHex } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { safeEqual } from '../../internal/safe-compare.js';
import { signedContentReplayId } from '../../replay/replay-key.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { jsonObject } from '../kit/json-fields.js';
import { checkSecretText } from '../kit/secret-import.js';
import { JSON_CONTENT_TYPE } from '../kit/sign-input.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';

export interface AdyenOptions {
  /** Scheme name for logs and the default endpoint. Default `adyen`. */
  name?: string;
}

export interface AdyenParsed extends ParsedWebhook {
  /** What each item signs (`pspReference:originalReference:…:success`), in the batch's order. */
  readonly signedData: readonly string[];
}

/** The fields Adyen signs, in order; `value` and `currency` are read from `amount`. */
const SIGNED_FIELDS = [
  'pspReference',
  'originalReference',
  'merchantAccountCode',
  'merchantReference',
  'value',
  'currency',
  'eventCode',
  'success',
] as const;
const SHA256_BYTES = 32;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Adyen standard (payment) webhooks. The signature is inside each notification item, not in a
 * header: `NotificationRequestItem.additionalData.hmacSignature` = base64 HMAC-SHA256(the HMAC key
 * decoded from hex, `pspReference:originalReference:merchantAccountCode:merchantReference:value:
 * currency:eventCode:success`), a missing field counting as empty, as the official
 * `@adyen/api-library` `HmacValidator` computes it.
 *
 * A batch is accepted only when EVERY item verifies under one configured key (each key is tried in
 * turn, for rotation); one unsigned or wrongly signed item refuses the whole request, since the
 * handler gets the whole batch. Items are capped at `maxSignatures`.
 *
 * Only those eight fields are signed: the rest of each item (`additionalData`, `reason`, ...) and
 * the top-level `live` are NOT, so `event.signed.body` is false. The id (`pspReference:eventCode`)
 * and type (`eventCode`) of a one-item notification are signed; replays are keyed on a digest of
 * every item's signed fields. Answer with a 2xx and the body `[accepted]` (older Adyen integrations
 * require that body, newer ones any 2xx): return it from the handler, and set
 * `duplicateResponse: '[accepted]'` so that duplicates are acknowledged alike.
 */
export function adyen(options: AdyenOptions = {}): WebhookScheme<Buffer, AdyenParsed> {
  const name = options.name ?? 'adyen';
  const importKey = (secret: string | Buffer): Buffer => {
    if (Buffer.isBuffer(secret)) return secret;
    checkSecretText(`${name} secret`, secret);
    const key = decodeHex(secret);
    if (key === undefined) {
      throw new WebhookVerificationError('invalid_secret', `The ${name} secret is not a hex HMAC key.`);
    }
    return key;
  };

  return {
    name,
    signs: { id: true, timestamp: false, type: true, body: false },
    defaultToleranceMs: undefined,
    payloadFormat: 'json',

    parse(_headers: WebhookHeaders, context: ParseContext): AdyenParsed {
      const items = notificationItems(context.rawBody);
      if (items.length > context.limits.maxSignatures) {
        throw new WebhookVerificationError(
          'too_many_signatures',
          'The Adyen notification has more items than maxSignatures allows.',
        );
      }
      const signatures: Buffer[] = [];
      const signedData: string[] = [];
      for (const item of items) {
        const additional = isObject(item.additionalData) ? item.additionalData : {};
        const text = additional.hmacSignature;
        if (typeof text !== 'string' || text === '') {
          throw new WebhookVerificationError(
            'missing_signature',
            'An Adyen notification item has no hmacSignature.',
          );
        }
        const signature =
          text.length <= context.limits.maxHeaderLength ? decodeCanonicalBase64(text) : undefined;
        if (signature?.length !== SHA256_BYTES) {
          throw new WebhookVerificationError(
            'malformed_signature',
            'An Adyen hmacSignature is not a base64 SHA-256 HMAC.',
          );
        }
        signatures.push(signature);
        signedData.push(dataToSign(item));
      }
      const only = items.length === 1 ? items[0] : undefined;
      const eventCode = typeof only?.eventCode === 'string' ? only.eventCode : undefined;
      const pspReference = typeof only?.pspReference === 'string' ? only.pspReference : undefined;
      return {
        signatures,
        signedData,
        type: eventCode,
        id:
          eventCode !== undefined && pspReference !== undefined ? `${pspReference}:${eventCode}` : undefined,
      };
    },

    importKey,

    verify(parsed: AdyenParsed, _rawBody: Buffer, key: Buffer): boolean {
      // Every item must match; no early exit, so the time does not tell which item failed.
      let all = parsed.signedData.length > 0;
      parsed.signedData.forEach((data, index) => {
        if (!safeEqual(hmacOf('sha256', key, data), parsed.signatures[index]!)) all = false;
      });
      return all;
    },

    replayId: (parsed: AdyenParsed) => signedContentReplayId(...parsed.signedData),

    eventNames(type: string | undefined, payload: unknown): string[] | undefined {
      const codes = new Set<string>();
      for (const item of itemsOf(payload)) if (typeof item.eventCode === 'string') codes.add(item.eventCode);
      return codes.size > 0 ? [...codes] : type === undefined ? undefined : [type];
    },

    /** Returns only a content type: the signatures go in the body (see `signBody`, `adyenHmacSignature`). */
    sign(input: SignInput): Record<string, string> {
      importKey(input.secret);
      return { 'content-type': JSON_CONTENT_TYPE };
    },

    /** The body with every item's `additionalData.hmacSignature` set, as Adyen sends it. */
    signBody(input: SignInput): Buffer {
      const key = importKey(input.secret);
      const body = jsonObject(toBuffer(input.body));
      if (body === undefined || !Array.isArray(body.notificationItems)) {
        throw new Error(
          'adyen.signBody(): the body must be an Adyen notification ({"notificationItems": [...]}).',
        );
      }
      for (const item of itemsOf(body)) {
        const additional = isObject(item.additionalData) ? item.additionalData : {};
        additional.hmacSignature = hmacOf('sha256', key, dataToSign(item)).toString('base64');
        item.additionalData = additional;
      }
      return Buffer.from(JSON.stringify(body));
    },
  };
}

/** The base64 `hmacSignature` Adyen puts in a notification item, for tests and local senders. */
export const adyenHmacSignature = (item: Record<string, unknown>, hexKey: string): string =>
  hmacOf('sha256', adyen().importKey(hexKey), dataToSign(item)).toString('base64');

/** The `NotificationRequestItem`s of a parsed body (none when it is not a notification). */
function itemsOf(payload: unknown): Record<string, unknown>[] {
  const list = isObject(payload) ? payload.notificationItems : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) =>
    isObject(entry) && isObject(entry.NotificationRequestItem) ? [entry.NotificationRequestItem] : [],
  );
}

/** Every item of the raw body; a body that is not an Adyen notification carries no signature. */
function notificationItems(rawBody: Buffer): Record<string, unknown>[] {
  const list = jsonObject(rawBody)?.notificationItems;
  if (!Array.isArray(list) || list.length === 0) {
    throw new WebhookVerificationError(
      'missing_signature',
      'The body is not an Adyen notification with items.',
    );
  }
  const items = itemsOf({ notificationItems: list });
  if (items.length !== list.length) {
    throw new WebhookVerificationError(
      'malformed_header',
      'An Adyen notification item has no NotificationRequestItem.',
    );
  }
  return items;
}

/** `pspReference:…:success` as Adyen signs it: absent fields empty, numbers and booleans as text. */
function dataToSign(item: Record<string, unknown>): string {
  const amount = isObject(item.amount) ? item.amount : {};
  return SIGNED_FIELDS.map((field) => {
    const value = field === 'value' || field === 'currency' ? amount[field] : item[field];
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
      return String(value);
    throw new WebhookVerificationError('malformed_header', `The Adyen field ${field} is not text.`);
  }).join(':');
}
