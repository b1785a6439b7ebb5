import type { WebhookHeaders } from '../../internal/headers.js';
import { requireHeader } from '../../internal/headers.js';
import { safeEqual } from '../../internal/safe-compare.js';
import { parseUnixMillis } from '../timestamp.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { signTime } from '../kit/sign-input.js';
import { decodeSignatures } from '../kit/signature-decoding.js';
import { requireSignatureHeader } from '../kit/signature-header.js';
import { requireSignedUrl } from '../kit/signed-url.js';

export interface HubSpotOptions {
  /** Scheme name for logs and the default endpoint. Default `hubspot`. */
  name?: string;
  /** Freshness window in ms, both directions. Default 5 minutes, as `@hubspot/api-client` (too-old only). */
  toleranceMs?: number;
}

export interface HubSpotParsed extends ParsedWebhook {
  readonly method: string;
  /** The URI as configured, and with HubSpot's listed percent-escapes decoded when that differs. */
  readonly uris: readonly string[];
  readonly timestampText: string;
}

const SIGNATURE = 'x-hubspot-signature-v3';
const TIMESTAMP = 'x-hubspot-request-timestamp';
/** Characters HubSpot's v3 docs say to decode in the URI before signing. */
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/**
 * HubSpot signature v3: `X-HubSpot-Signature-v3` = base64 HMAC-SHA256(app client secret,
 * method + uri + rawBody + timestamp), `X-HubSpot-Request-Timestamp` in ms. The URI is the public
 * URL the adapter derives from `publicBaseUrl` (never from Host); the method comes from the request.
 * v1/v2 (plain SHA-256 of secret + …) are not supported.
 */
export function hubspot(options: HubSpotOptions = {}): WebhookScheme<Buffer, HubSpotParsed> {
  const name = options.name ?? 'hubspot';
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${name} secret`, secret);
  const mac = (key: Buffer, method: string, uri: string, body: Buffer, timestampText: string) =>
    hmacOf('sha256', key, method, uri, body, timestampText);

  return {
    name,
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, context: ParseContext): HubSpotParsed {
      const value = requireSignatureHeader(headers, SIGNATURE, context.limits);
      const signatures = decodeSignatures([value], 'base64', 32, SIGNATURE);
      const timestampText = requireHeader(headers, [TIMESTAMP], context.limits.maxHeaderLength);
      const timestamp = parseUnixMillis(timestampText);
      const uri = requireSignedUrl(name, context);
      const decoded = uri.replace(
        /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
        (escape) => DECODED[escape.toUpperCase()]!,
      );
      const method = (context.method ?? 'POST').toUpperCase();
      return { signatures, timestamp, timestampText, method, uris: decoded === uri ? [uri] : [uri, decoded] };
    },

    importKey,

    verify(parsed: HubSpotParsed, rawBody: Buffer, key: Buffer): boolean {
      let matched = false;
      for (const uri of parsed.uris) {
        const expected = mac(key, parsed.method, uri, rawBody, parsed.timestampText);
        for (const candidate of parsed.signatures) if (safeEqual(expected, candidate)) matched = true;
      }
      return matched;
    },

    sign(input: SignInput): Record<string, string> {
      if (input.url === undefined) throw new Error('hubspot().sign(): the URL is required.');
      const timestampText = String(signTime(input));
      return {
        [SIGNATURE]: mac(
          importKey(input.secret),
          'POST',
          input.url,
          toBuffer(input.body),
          timestampText,
        ).toString('base64'),
        [TIMESTAMP]: timestampText,
        'content-type': 'application/json',
      };
    },
  };
}
