import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import {
  anyEd25519SignatureValid,
  ED25519_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  ed25519Sign,
  importEd25519PublicKey,
  importEd25519SecretKey,
  isEd25519Key,
  prefixedMessage,
} from '../internal/ed25519.js';
import { decodeBase64 } from '../internal/encoding.js';
import type { WebhookHeaders } from '../internal/headers.js';
import { requireHeader } from '../internal/headers.js';
import { anySignatureMatches } from '../internal/safe-compare.js';
import { MIN_SECRET_BYTES } from '../secrets/secret.js';
import { toBuffer } from './kit/bytes.js';
import { hmacOf } from './kit/hmac-digest.js';
import { refuseStrayWhitespace } from './kit/secret-import.js';
import { JSON_CONTENT_TYPE, randomId, signTime } from './kit/sign-input.js';
import { decodeCandidates } from './kit/signature-decoding.js';
import { requireSignatureHeader, splitBounded } from './kit/signature-header.js';
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
const PUBLIC_KEY_PREFIX = 'whpk_';
const PRIVATE_KEY_PREFIX = 'whsk_';
const HMAC_SHA256_BYTES = 32;
/**
 * Most `v1a` entries a delivery may carry. Each is an ed25519 check over the whole body per key, the
 * costliest work before authentication; a sender signs once per active key, two while it rotates.
 * More is refused (not skipped) so that a sender with more keys gets a clear reason.
 */
const MAX_ED25519_SIGNATURES = 2;

/**
 * Key material: the HMAC key bytes for `whsec_` secrets (checks `v1` entries), or an ed25519 public
 * key for `whpk_`/`whsk_` keys (checks `v1a` entries).
 */
export type StandardWebhooksKey = Buffer | KeyObject;

/** The parsed headers, with the entries split by algorithm. */
export interface StandardWebhooksParsed extends ParsedWebhook {
  readonly id: string;
  readonly timestamp: number;
  /** `v1` entries (HMAC-SHA256). */
  readonly hmacSignatures: readonly Buffer[];
  /** `v1a` entries (ed25519). */
  readonly ed25519Signatures: readonly Buffer[];
  /** `${id}.${timestamp}.`: the signed bytes before the body. */
  readonly prefix: string;
}

/**
 * Standard Webhooks (standardwebhooks.com), also sent by Svix and Svix-based senders under the
 * `svix-*` header names: `v1,<base64 HMAC-SHA256>` or `v1a,<base64 ed25519>` over
 * `${id}.${timestamp}.${body}`. A `whsec_` secret checks `v1` entries; a `whpk_` public key (or a
 * `whsk_` secret key) checks `v1a` entries.
 */
export function standardWebhooks(
  options: StandardWebhooksOptions = {},
): WebhookScheme<StandardWebhooksKey, StandardWebhooksParsed> {
  const secretFormat = options.secretFormat ?? 'base64';
  const content = (id: string, timestampSeconds: number, body: Buffer) =>
    prefixedMessage(`${id}.${timestampSeconds}.`, body);

  const importKey = (secret: string | Buffer): StandardWebhooksKey => {
    if (Buffer.isBuffer(secret) || secretFormat === 'raw') {
      const key = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
      assertKeyLength(key.length);
      return key;
    }
    refuseStrayWhitespace('Standard Webhooks secret', secret);
    if (secret.startsWith(PUBLIC_KEY_PREFIX)) return importPublicKey(secret);
    if (secret.startsWith(PRIVATE_KEY_PREFIX)) return createPublicKey(importPrivateKey(secret));
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

  const signedContent = (parsed: StandardWebhooksParsed, body: Buffer) =>
    prefixedMessage(parsed.prefix, body);

  return {
    name: options.name ?? 'standard-webhooks',
    payloadFormat: 'json', // the spec's payloads are JSON
    signs: { id: true, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): StandardWebhooksParsed {
      const header = requireSignatureHeader(headers, SIGNATURE_HEADERS, limits, { blankIsMissing: false });
      const id = requireHeader(headers, ID_HEADERS, limits.maxHeaderLength);
      const timestamp = parseUnixSeconds(requireHeader(headers, TIMESTAMP_HEADERS, limits.maxHeaderLength));
      // Unknown versions are skipped, and each key type later checks only its own entries.
      const entries = splitBounded(header, ' ', 'webhook-signature', limits, { skipEmpty: true });
      const hmacSignatures = decodeCandidates(entries, 'base64', HMAC_SHA256_BYTES, 'v1,');
      const ed25519Signatures = decodeCandidates(entries, 'base64', ED25519_SIGNATURE_BYTES, 'v1a,');
      if (ed25519Signatures.length > MAX_ED25519_SIGNATURES) {
        throw new WebhookVerificationError(
          'too_many_signatures',
          `Header webhook-signature lists more than ${MAX_ED25519_SIGNATURES} v1a (ed25519) signatures.`,
        );
      }
      if (hmacSignatures.length === 0 && ed25519Signatures.length === 0) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'Header webhook-signature has no v1 or v1a signature.',
        );
      }
      return {
        signatures:
          ed25519Signatures.length === 0 ? hmacSignatures : [...hmacSignatures, ...ed25519Signatures],
        hmacSignatures,
        ed25519Signatures,
        id,
        timestamp,
        prefix: `${id}.${timestamp / 1000}.`,
      };
    },

    importKey,

    verify(parsed: StandardWebhooksParsed, rawBody: Buffer, key: StandardWebhooksKey): boolean {
      if (isEd25519Key(key)) {
        return anyEd25519SignatureValid(signedContent(parsed, rawBody), key, parsed.ed25519Signatures);
      }
      if (!Buffer.isBuffer(key)) return false;
      // The same bytes as signedContent(), streamed into the HMAC: no copy of the body per delivery.
      const mac = hmacOf('sha256', key, parsed.prefix, rawBody);
      return anySignatureMatches(mac, parsed.hmacSignatures);
    },

    /** Signs `v1` with a `whsec_` secret, `v1a` with a `whsk_` secret key. */
    sign(input: SignInput): Record<string, string> {
      const id = input.id ?? randomId('msg_');
      const timestamp = toUnixSeconds(signTime(input));
      const body = toBuffer(input.body);
      const message = content(id, timestamp, body);
      let signature: string;
      if (typeof input.secret === 'string' && input.secret.startsWith(PRIVATE_KEY_PREFIX)) {
        signature = `v1a,${ed25519Sign(message, importPrivateKey(input.secret)).toString('base64')}`;
      } else {
        const key = importKey(input.secret);
        if (!Buffer.isBuffer(key)) {
          throw new WebhookVerificationError(
            'invalid_secret',
            'A whpk_ public key cannot sign; sign with the whsk_ secret key.',
          );
        }
        signature = `v1,${hmacOf('sha256', key, message).toString('base64')}`;
      }
      return {
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signature,
        'content-type': JSON_CONTENT_TYPE,
      };
    },
  };
}

/** `whpk_` + base64 of the raw 32-byte ed25519 public key. */
function importPublicKey(secret: string): KeyObject {
  return importEd25519PublicKey(
    decodeBase64(secret.slice(PUBLIC_KEY_PREFIX.length)),
    `The Standard Webhooks public key is not \`whpk_\` followed by the base64 of ${ED25519_KEY_BYTES} bytes.`,
  );
}

/** `whsk_` + base64 of the 32-byte seed followed by its 32-byte public key (Svix), or of the seed alone. */
function importPrivateKey(secret: string): KeyObject {
  return importEd25519SecretKey(
    decodeBase64(secret.slice(PRIVATE_KEY_PREFIX.length)),
    `The Standard Webhooks secret key is not \`whsk_\` followed by the base64 of a ${ED25519_KEY_BYTES}-byte seed and its ${ED25519_KEY_BYTES}-byte public key.`,
  );
}

function assertKeyLength(bytes: number): void {
  if (bytes < MIN_SECRET_BYTES) {
    throw new WebhookVerificationError(
      'invalid_secret',
      `The Standard Webhooks secret decodes to ${bytes} bytes; at least ${MIN_SECRET_BYTES} are required (the spec asks for 24 to 64).`,
    );
  }
}
