import type { WebhookHeaders } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import { toBuffer } from '../kit/bytes.js';
import { hmacOf } from '../kit/hmac-digest.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { JSON_CONTENT_TYPE } from '../kit/sign-input.js';
import { decodeSignatures } from '../kit/signature-decoding.js';
import { requireSignatureHeader } from '../kit/signature-header.js';
import { requireSignedUrl } from '../kit/signed-url.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';

/** URL-bound HMACs: Square (url + body) and Trello (body + callback URL). */

export interface UrlHmacParsed extends ParsedWebhook {
  readonly url: string;
}

export interface UrlHmacConfig {
  readonly name: string;
  readonly header: string;
  readonly algorithm: 'sha256' | 'sha1';
  readonly urlPosition: 'before-body' | 'after-body';
  /** The URL exactly as registered with the provider; else the adapter's public URL. */
  readonly url?: string | undefined;
}

/** A bare base64 HMAC over the body and the public URL the provider posted to. */
export function urlHmac(config: UrlHmacConfig): WebhookScheme<Buffer, UrlHmacParsed> {
  const header = config.header.toLowerCase();
  const digestBytes = config.algorithm === 'sha256' ? 32 : 20;
  const mac = (key: Buffer, url: string, body: Buffer) =>
    config.urlPosition === 'before-body'
      ? hmacOf(config.algorithm, key, url, body)
      : hmacOf(config.algorithm, key, body, url);
  const importKey = (secret: string | Buffer) => importUtf8Secret(`${config.name} secret`, secret);

  return {
    name: config.name,
    signs: { id: false, timestamp: false, type: false },
    defaultToleranceMs: undefined,

    parse(headers: WebhookHeaders, context: ParseContext): UrlHmacParsed {
      const value = requireSignatureHeader(headers, header, context.limits);
      const signatures = decodeSignatures([value], 'base64', digestBytes, header);
      return { signatures, url: requireSignedUrl(config.name, context, config.url) };
    },

    importKey,

    verify(parsed: UrlHmacParsed, rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(mac(key, parsed.url, rawBody), parsed.signatures);
    },

    sign(input: SignInput): Record<string, string> {
      const url = input.url ?? config.url;
      if (url === undefined) throw new Error(`${config.name}.sign(): the URL is required.`);
      return {
        [header]: mac(importKey(input.secret), url, toBuffer(input.body)).toString('base64'),
        'content-type': JSON_CONTENT_TYPE,
      };
    },
  };
}
