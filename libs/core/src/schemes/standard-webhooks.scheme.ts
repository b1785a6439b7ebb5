import { createHmac } from 'node:crypto';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import { decodeBase64 } from '../internal/encoding.js';
import type { WebhookHeaders } from '../internal/headers.js';
import { requireHeader, readFirstHeader } from '../internal/headers.js';
import { anySignatureMatches } from '../internal/safe-compare.js';
import { hasStrayWhitespace, MIN_SECRET_BYTES } from '../secrets/secret.js';
import { parseUnixSeconds, toUnixSeconds } from './timestamp.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from './webhook-scheme.interface.js';

export interface StandardWebhooksOptions {
  /** Freshness window in ms, both directions. Default 5 minutes, as the reference libraries. */
  toleranceMs?: number;
  /** `base64` (default): secrets are `whsec_` + base64 as the spec says. `raw`: use the bytes as given. */
  secretFormat?: 'base64' | 'raw';
  /** Scheme name for logs and the default endpoint. */
  name?: string;
}

const ID_HEADERS = ['webhook-id', 'svix-id'] as const;
const TIMESTAMP_HEADERS = ['webhook-timestamp', 'svix-timestamp'] as const;
const SIGNATURE_HEADERS = ['webhook-signature', 'svix-signature'] as const;
const SECRET_PREFIX = 'whsec_';
const HMAC_SHA256_BYTES = 32;

/**
 * Standard Webhooks (standardwebhooks.com), also sent by Svix and Svix-based senders under the
 * `svix-*` header names: `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`.
 */
export function standardWebhooks(options: StandardWebhooksOptions = {}): WebhookScheme<Buffer> {
  const secretFormat = options.secretFormat ?? 'base64';
  const content = (id: string, timestampSeconds: number) => `${id}.${timestampSeconds}.`;

  const importKey = (secret: string | Buffer): Buffer => {
    if (Buffer.isBuffer(secret) || secretFormat === 'raw') {
      const key = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
      assertKeyLength(key.length);
      return key;
    }
    if (hasStrayWhitespace(secret)) {
      throw new WebhookVerificationError(
        'invalid_secret',
        'The Standard Webhooks secret has stray whitespace.',
      );
    }
    const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
    const key = decodeBase64(encoded);
    if (key === undefined) {
      throw new WebhookVerificationError(
        'invalid_secret',
        'The Standard Webhooks secret is not `whsec_` followed by base64 (use secretFormat: "raw" for other keys).',
      );
    }
    assertKeyLength(key.length);
    return key;
  };

  const mac = (key: Buffer, parsed: ParsedWebhook, body: Buffer) =>
    createHmac('sha256', key)
      .update(content(parsed.id!, toUnixSeconds(parsed.timestamp!)))
      .update(body)
      .digest();

  return {
    name: options.name ?? 'standard-webhooks',
    signs: { id: true, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): ParsedWebhook {
      const header = readFirstHeader(headers, SIGNATURE_HEADERS, limits.maxHeaderLength);
      if (header === undefined || header === '') {
        throw new WebhookVerificationError('missing_signature', 'Header webhook-signature is missing.');
      }
      const id = requireHeader(headers, ID_HEADERS, limits.maxHeaderLength);
      const timestamp = parseUnixSeconds(requireHeader(headers, TIMESTAMP_HEADERS, limits.maxHeaderLength));
      const entries = header.split(' ').filter((entry) => entry !== '');
      if (entries.length > limits.maxSignatures) {
        throw new WebhookVerificationError(
          'too_many_signatures',
          `Header webhook-signature lists more than ${limits.maxSignatures} signatures.`,
        );
      }
      const signatures: Buffer[] = [];
      for (const entry of entries) {
        const comma = entry.indexOf(',');
        if (comma <= 0) continue;
        // v1a (ed25519) and future versions are skipped here; an HMAC key can only check v1.
        if (entry.slice(0, comma) !== 'v1') continue;
        const signature = decodeBase64(entry.slice(comma + 1));
        if (signature?.length === HMAC_SHA256_BYTES) signatures.push(signature);
      }
      if (signatures.length === 0) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'Header webhook-signature has no v1 signature.',
        );
      }
      return { signatures, id, timestamp };
    },

    importKey,

    verify(parsed: ParsedWebhook, rawBody: Buffer, key: Buffer): boolean {
      return anySignatureMatches(mac(key, parsed, rawBody), parsed.signatures);
    },

    sign(input: SignInput): Record<string, string> {
      const key = importKey(input.secret);
      const id = input.id ?? `msg_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
      const timestamp = toUnixSeconds(input.timestamp ?? Date.now());
      const body = Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8');
      const signature = createHmac('sha256', key)
        .update(content(id, timestamp))
        .update(body)
        .digest('base64');
      return {
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': `v1,${signature}`,
        'content-type': 'application/json',
      };
    },
  };
}

function assertKeyLength(bytes: number): void {
  if (bytes < MIN_SECRET_BYTES) {
    throw new WebhookVerificationError(
      'invalid_secret',
      `The Standard Webhooks secret decodes to ${bytes} bytes; at least ${MIN_SECRET_BYTES} are required (the spec asks for 24 to 64).`,
    );
  }
}
