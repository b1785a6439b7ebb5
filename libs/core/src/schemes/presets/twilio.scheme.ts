import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeHex } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { safeEqual } from '../../internal/safe-compare.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf, sha256 } from '../kit/hmac-digest.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { decodeSignatures } from '../kit/signature-decoding.js';
import { requireSignatureHeader } from '../kit/signature-header.js';
import { requireSignedUrl } from '../kit/signed-url.js';

export interface TwilioOptions {
  /** Scheme name for logs and the default endpoint. Default `twilio`. */
  name?: string;
}

export interface TwilioParsed extends ParsedWebhook {
  /** The public URL and its with/without-default-port variants (Twilio's SDK tries both). */
  readonly urls: readonly string[];
  /** What follows the URL in the signed data: the sorted form parameters, or '' for JSON bodies. */
  readonly paramsText: string;
  /** The `bodySHA256` query parameter of JSON deliveries. */
  readonly bodyHash: Buffer | undefined;
}

const HEADER = 'x-twilio-signature';
const SHA1_BYTES = 20;

/**
 * Twilio request validation: `X-Twilio-Signature` = base64 HMAC-SHA1(Auth Token, full public URL +
 * the POST parameters sorted by name, each as name+value). For JSON bodies Twilio adds
 * `bodySHA256=<hex sha256(body)>` to the URL and signs the URL alone; the body hash is checked too.
 *
 * The URL comes from the adapter (`publicBaseUrl` or trusted proxy headers), never from `Host`.
 * Twilio sends no timestamp and no delivery id: a captured request verifies forever; replays are
 * caught by the replay store only while it remembers them. SHA-1 is Twilio's choice (HMAC-SHA1 is
 * not broken). Rotation: configure the primary and secondary Auth Token as two secrets.
 */
export function twilio(options: TwilioOptions = {}): WebhookScheme<Buffer, TwilioParsed> {
  const name = options.name ?? 'twilio';
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${name} secret`, secret);

  return {
    name,
    signs: { id: false, timestamp: false, type: false },
    defaultToleranceMs: undefined,

    parse(headers: WebhookHeaders, context: ParseContext): TwilioParsed {
      const value = requireSignatureHeader(headers, HEADER, context.limits);
      const signatures = decodeSignatures([value], 'base64', SHA1_BYTES, HEADER);
      const url = requireSignedUrl(name, context);
      let query: URLSearchParams;
      try {
        query = new URL(url).searchParams;
      } catch {
        throw new WebhookVerificationError('malformed_header', 'The configured public URL is not absolute.');
      }
      const bodySha = query.getAll('bodySHA256');
      if (bodySha.length > 1) {
        throw new WebhookVerificationError('malformed_header', 'The URL carries bodySHA256 twice.');
      }
      let bodyHash: Buffer | undefined;
      if (bodySha.length === 1) {
        bodyHash = decodeHex(bodySha[0]!);
        if (bodyHash?.length !== 32) {
          throw new WebhookVerificationError(
            'malformed_header',
            'The bodySHA256 URL parameter is not a SHA-256 hex digest.',
          );
        }
      }
      const paramsText = bodyHash === undefined ? formParamsText(context.rawBody) : '';
      return { signatures, urls: urlVariants(url), paramsText, bodyHash };
    },

    importKey,

    verify(parsed: TwilioParsed, rawBody: Buffer, key: Buffer): boolean {
      let matched = false;
      for (const url of parsed.urls) {
        const expected = hmacOf('sha1', key, url, parsed.paramsText);
        for (const candidate of parsed.signatures) if (safeEqual(expected, candidate)) matched = true;
      }
      const bodyOk = parsed.bodyHash === undefined || safeEqual(sha256(rawBody), parsed.bodyHash);
      return matched && bodyOk;
    },

    replayId(parsed: TwilioParsed, rawBody: Buffer): string {
      // Keyed on exactly what the signature covers: the URL and the sorted parameters as signed (form),
      // or the body whose hash the URL carries (JSON). Keying on the raw form bytes would let a replay
      // with a trailing `&` (same parameters, same signature) pass as a new delivery.
      const signed = parsed.bodyHash === undefined ? parsed.paramsText : rawBody;
      return `twilio:${sha256(parsed.urls[0] ?? '', '\0', signed).toString('base64url')}`;
    },

    sign(input: SignInput): Record<string, string> {
      if (input.url === undefined) throw new Error('twilio().sign(): the URL is required.');
      const body = toBuffer(input.body);
      const json = input.url.includes('bodySHA256');
      const data = json ? '' : formParamsText(body);
      return {
        [HEADER]: hmacOf('sha1', importKey(input.secret), input.url, data).toString('base64'),
        'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      };
    },
  };
}

const MAX_FORM_PARAMETERS = 1_000;

/** Sorted `name+value` concatenation of form parameters, as twilio-node's getExpectedTwilioSignature. */
function formParamsText(rawBody: Buffer): string {
  if (rawBody.length === 0) return '';
  const grouped = new Map<string, string[]>();
  let count = 0;
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    // Parsed and sorted before authentication: bound the work (Twilio sends a few dozen).
    if (++count > MAX_FORM_PARAMETERS) {
      throw new WebhookVerificationError(
        'body_too_large',
        `The form has more than ${MAX_FORM_PARAMETERS} parameters.`,
      );
    }
    const values = grouped.get(key);
    if (values) values.push(value);
    else grouped.set(key, [value]);
  }
  let text = '';
  for (const key of [...grouped.keys()].sort()) {
    const values = grouped.get(key)!;
    const list = values.length === 1 ? values : Array.from(new Set(values)).sort();
    for (const value of list) text += key + value;
  }
  return text;
}

/** The URL as configured, without its port and with the scheme's default port (as the SDK tries). */
function urlVariants(url: string): string[] {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return [url];
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const at = authority.lastIndexOf('@');
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  const rest = url.slice(prefix.length);
  const userInfo = authority.slice(0, at + 1);
  const withoutPort = scheme + userInfo + host + rest;
  const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  const withPort = colon === -1 ? scheme + userInfo + host + defaultPort + rest : url;
  return Array.from(new Set([url, withoutPort, withPort]));
}
