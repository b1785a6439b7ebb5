import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeHex } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader, requireSignature } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import { parseUnixSeconds, toUnixSeconds } from '../timestamp.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import {
  bodyIdReplayId,
  jsonObject,
  signedContentReplayId,
  signTime,
  stringField,
  toBuffer,
  hmacOf,
  importUtf8Secret,
} from './preset-helpers.js';

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
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): StripeParsed {
      const header = requireSignature(
        readHeader(headers, HEADER, limits.maxHeaderLength),
        'Stripe-Signature',
      );
      const elements = header.split(',');
      if (elements.length > limits.maxSignatures + 4) {
        throw new WebhookVerificationError(
          'too_many_signatures',
          'Header Stripe-Signature lists too many signatures.',
        );
      }
      let timestampText: string | undefined;
      const signatures: Buffer[] = [];
      let offered = 0;
      for (const element of elements) {
        const equals = element.indexOf('=');
        if (equals <= 0) continue;
        const key = element.slice(0, equals).trim();
        const value = element.slice(equals + 1).trim();
        if (key === 't') {
          if (timestampText !== undefined) {
            throw new WebhookVerificationError(
              'malformed_header',
              'Header Stripe-Signature has two timestamps.',
            );
          }
          timestampText = value;
        } else if (key === SCHEME) {
          offered += 1;
          const signature = decodeHex(value);
          if (signature?.length === SHA256_BYTES) signatures.push(signature);
        }
      }
      if (offered > limits.maxSignatures) {
        throw new WebhookVerificationError(
          'too_many_signatures',
          `Header Stripe-Signature lists more than ${limits.maxSignatures} signatures.`,
        );
      }
      if (timestampText === undefined || timestampText === '') {
        throw new WebhookVerificationError('malformed_header', 'Header Stripe-Signature has no timestamp.');
      }
      const timestamp = parseUnixSeconds(timestampText);
      if (signatures.length === 0) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'Header Stripe-Signature has no well-formed v1 signature.',
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
