import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import { signedContentReplayId } from '../../replay/replay-key.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { bodyIdReplayId, jsonObject, stringField } from '../kit/json-fields.js';
import { parseKeyValueHeader, timestampAndSignatures } from '../kit/key-value-header.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { signTime } from '../kit/sign-input.js';
import { decodeCandidates } from '../kit/signature-decoding.js';
import { requireSignatureHeader } from '../kit/signature-header.js';
import { parseUnixSeconds, toUnixSeconds } from '../timestamp.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';

export interface StripeOptions {
  /** Freshness window in ms. Default 5 minutes (Stripe's `DEFAULT_TOLERANCE`), checked both ways. */
  toleranceMs?: number;
  name?: string;
}

export interface StripeParsed extends ParsedWebhook {
  readonly timestamp: number;
  /** The `t=` value exactly as sent: it is what was signed. */
  readonly timestampText: string;
}

const HEADER = 'stripe-signature';
const DISPLAY = 'Stripe-Signature';
const SCHEME = 'v1';
const SHA256_BYTES = 32;

/**
 * Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 over `${t}.${body}` with
 * the whole `whsec_…` string as the key (not base64-decoded). Other schemes (`v0`) are ignored,
 * as by stripe-node. The event id and type are in the signed body only.
 */
export function stripe(options: StripeOptions = {}): WebhookScheme<Buffer, StripeParsed> {
  const mac = (key: Buffer, timestampText: string, body: Buffer) =>
    hmacOf('sha256', key, `${timestampText}.`, body);

  // stripe-node keys the HMAC with the secret string itself, `whsec_` prefix included.
  const importKey = (secret: string | Buffer): Buffer => importUtf8Secret('Stripe webhook secret', secret);

  return {
    name: options.name ?? 'stripe',
    payloadFormat: 'json', // Stripe sends JSON only
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): StripeParsed {
      const header = requireSignatureHeader(headers, HEADER, limits, {
        display: DISPLAY,
        blankIsMissing: false,
      });
      // As stripe-node: entries without `key=` are skipped, keys and values are trimmed, and up to
      // four parts beyond the signature bound are tolerated (the timestamp, other schemes such as v0).
      const entries = parseKeyValueHeader(header, ',', DISPLAY, limits, { extra: 4, skipMalformed: true });
      const { timestampText, candidates } = timestampAndSignatures(
        entries.map(({ key, value }) => ({ key: key.trim(), value: value.trim() })),
        't',
        SCHEME,
        DISPLAY,
      );
      if (candidates.length > limits.maxSignatures) {
        throw new WebhookVerificationError(
          'too_many_signatures',
          `Header ${DISPLAY} lists more than ${limits.maxSignatures} signatures.`,
        );
      }
      if (timestampText === undefined || timestampText === '') {
        throw new WebhookVerificationError('malformed_header', `Header ${DISPLAY} has no timestamp.`);
      }
      const timestamp = parseUnixSeconds(timestampText);
      const signatures = decodeCandidates(candidates, 'hex', SHA256_BYTES);
      if (signatures.length === 0) {
        throw new WebhookVerificationError(
          'malformed_signature',
          `Header ${DISPLAY} has no well-formed v1 signature.`,
        );
      }
      return { signatures, timestamp, timestampText };
    },

    importKey,

    verify(parsed: StripeParsed, rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(mac(key, parsed.timestampText, rawBody), parsed.signatures);
    },

    /** The event id (`evt_…`) from the verified body, exposed as the event's id. */
    eventId(_parsed: StripeParsed, rawBody: Buffer): string | undefined {
      return stringField(jsonObject(rawBody), 'id');
    },

    /** The event id (`evt_…`) from the verified body: Stripe's retries of one event share it. */
    replayId(parsed: StripeParsed, rawBody: Buffer): string {
      const id = stringField(jsonObject(rawBody), 'id');
      return id !== undefined ? bodyIdReplayId(id) : signedContentReplayId(parsed.timestampText, rawBody);
    },

    sign(input: SignInput): Record<string, string> {
      const timestampText = String(toUnixSeconds(signTime(input)));
      const signature = mac(importKey(input.secret), timestampText, toBuffer(input.body)).toString('hex');
      return {
        'stripe-signature': `t=${timestampText},${SCHEME}=${signature}`,
        'content-type': 'application/json; charset=utf-8',
      };
    },
  };
}
