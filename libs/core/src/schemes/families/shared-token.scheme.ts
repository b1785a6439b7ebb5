import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader } from '../../internal/headers.js';
import { anySignatureMatches } from '../../internal/safe-compare.js';
import { sha256 } from '../kit/hmac-digest.js';
import { importUtf8Secret } from '../kit/secret-import.js';
import { JSON_CONTENT_TYPE } from '../kit/sign-input.js';
import { requireSignatureHeader } from '../kit/signature-header.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';

/** Shared bearer tokens: GitLab X-Gitlab-Token, Okta's configured Authorization header. */

export interface SharedTokenConfig {
  readonly name: string;
  readonly header: string;
  readonly idHeaders?: readonly string[];
  readonly typeHeader?: string;
}

/**
 * Not a signature: the sender repeats a shared secret in a header. Both sides are hashed with
 * SHA-256 before `timingSafeEqual`, so neither the comparison time nor a length check tells anything
 * about the secret's length or content. The body is NOT authenticated beyond TLS.
 */
export function sharedToken(config: SharedTokenConfig): WebhookScheme<Buffer> {
  const header = config.header.toLowerCase();
  return {
    name: config.name,
    signs: { id: false, timestamp: false, type: false, body: false },
    defaultToleranceMs: undefined,

    parse(headers: WebhookHeaders, { limits }: ParseContext): ParsedWebhook {
      const token = requireSignatureHeader(headers, header, limits, { blankIsMissing: false });
      let id: string | undefined;
      for (const name of config.idHeaders ?? []) {
        id ??= readHeader(headers, name, limits.maxHeaderLength) || undefined;
      }
      const type = config.typeHeader
        ? readHeader(headers, config.typeHeader, limits.maxHeaderLength) || undefined
        : undefined;
      return { signatures: [sha256(token)], id, type };
    },

    importKey(secret: string | Buffer): Buffer {
      return sha256(importUtf8Secret(`${config.name} secret`, secret));
    },

    verify(parsed: ParsedWebhook, _rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(key, parsed.signatures);
    },

    sign(input: SignInput): Record<string, string> {
      const token = Buffer.isBuffer(input.secret) ? input.secret.toString('utf8') : input.secret;
      const headers: Record<string, string> = { [header]: token, 'content-type': JSON_CONTENT_TYPE };
      if (config.idHeaders?.[0] && input.id !== undefined) headers[config.idHeaders[0]] = input.id;
      if (config.typeHeader && input.type !== undefined) headers[config.typeHeader] = input.type;
      return headers;
    },
  };
}
