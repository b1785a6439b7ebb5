import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeHex } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { safeEqual } from '../../internal/safe-compare.js';
import { boundedFormEntries } from '../kit/bounded-form.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf, sha256 } from '../kit/hmac-digest.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { decodeSignatures } from '../kit/signature-decoding.js';
import { requireSignatureHeader } from '../kit/signature-header.js';
import { requireSignedUrl } from '../kit/signed-url.js';
import { mediaTypeOf } from '../kit/request-headers.js';

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
  // The URL variant a delivery's signature matched, for its replay identity.
  const matchedUrls = new WeakMap<TwilioParsed, string>();

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
      const paramsText = bodyHash === undefined ? signedFormText(headers, context) : '';
      return { signatures, urls: urlVariants(url), paramsText, bodyHash };
    },

    importKey,

    verify(parsed: TwilioParsed, rawBody: Buffer, key: Buffer): boolean {
      let matched: string | undefined;
      for (const url of parsed.urls) {
        const expected = hmacOf('sha1', key, url, parsed.paramsText);
        for (const candidate of parsed.signatures) if (safeEqual(expected, candidate)) matched ??= url;
      }
      const bodyOk = parsed.bodyHash === undefined || safeEqual(sha256(rawBody), parsed.bodyHash);
      if (matched === undefined || !bodyOk) return false;
      matchedUrls.set(parsed, matched);
      return true;
    },

    replayId(parsed: TwilioParsed, rawBody: Buffer): string {
      // Keyed on exactly what the signature covers: the URL it matched, canonical, so a port added
      // to or dropped from Host does not make a captured delivery new; and the sorted parameters
      // as signed (form) or the body whose hash the URL carries (JSON). Keying on the raw form
      // bytes would let a replay with a trailing `&` (same parameters) pass as new.
      const url = canonicalUrl(matchedUrls.get(parsed) ?? parsed.urls[0] ?? '');
      const signed = parsed.bodyHash === undefined ? parsed.paramsText : rawBody;
      return `twilio:${sha256(url, '\0', signed).toString('base64url')}`;
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

/**
 * The signed parameters of a delivery without bodySHA256. Only a form body carries parameters: any
 * other non-empty body would go unsigned, so it is refused before it is parsed.
 */
function signedFormText(headers: WebhookHeaders, context: ParseContext): string {
  if (context.rawBody.length === 0) return '';
  if (mediaTypeOf(headers, context.limits) !== 'application/x-www-form-urlencoded') {
    throw new WebhookVerificationError(
      'malformed_header',
      'A Twilio delivery without bodySHA256 in its URL must be application/x-www-form-urlencoded.',
    );
  }
  return formParamsText(context.rawBody);
}

/** Sorted `name+value` concatenation of form parameters, as twilio-node's getExpectedTwilioSignature. */
function formParamsText(rawBody: Buffer): string {
  if (rawBody.length === 0) return '';
  const grouped = new Map<string, string[]>();
  // Parsed and sorted before authentication: the parser stops at the parameter cap.
  for (const [key, value] of boundedFormEntries(rawBody)) {
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

interface UrlParts {
  readonly scheme: string;
  readonly userInfo: string;
  readonly host: string;
  /** `:443`, or '' when the URL names no port. */
  readonly port: string;
  readonly rest: string;
}

/** Splits a URL as twilio-node does, without normalising it: the signed string is kept as sent. */
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const at = authority.lastIndexOf('@');
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, at + 1),
    host: colon === -1 ? hostPort : hostPort.slice(0, colon),
    port: colon === -1 ? '' : hostPort.slice(colon),
    rest: url.slice(prefix.length),
  };
}

const defaultPort = (scheme: string) => (scheme.toLowerCase() === 'https://' ? ':443' : ':80');

/** The URL as configured, without its port and with the scheme's default port (as the SDK tries). */
function urlVariants(url: string): string[] {
  const parts = splitUrl(url);
  if (!parts) return [url];
  const { scheme, userInfo, host, port, rest } = parts;
  const withoutPort = scheme + userInfo + host + rest;
  const withPort = port === '' ? scheme + userInfo + host + defaultPort(scheme) + rest : url;
  return Array.from(new Set([url, withoutPort, withPort]));
}

/**
 * One spelling per delivery: scheme and host lower-cased, the default port (or an empty one)
 * dropped. Path and query are kept as signed.
 */
function canonicalUrl(url: string): string {
  const parts = splitUrl(url);
  if (!parts) return url;
  const { scheme, userInfo, host, port, rest } = parts;
  const keptPort = port === ':' || port === defaultPort(scheme) ? '' : port;
  return scheme.toLowerCase() + userInfo + host.toLowerCase() + keptPort + rest;
}
