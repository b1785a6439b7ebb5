import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, sign as signWith, verify as verifyWith } from 'node:crypto';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeBase64, decodeCanonicalBase64 } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { requireHeader } from '../../internal/headers.js';
import { parseUnixSeconds, toUnixSeconds } from '../timestamp.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';
import { toBuffer } from '../kit/bytes.js';
import { refuseStrayWhitespace } from '../kit/secret-import.js';
import { signTime } from '../kit/sign-input.js';
import { requireSignatureHeader } from '../kit/signature-header.js';

export interface SendGridOptions {
  /** Scheme name for logs and the default endpoint. Default `sendgrid`. */
  name?: string;
  /** Freshness window in ms, both directions. Default 5 minutes (the SDK checks none). */
  toleranceMs?: number;
}

export interface SendGridParsed extends ParsedWebhook {
  readonly timestampText: string;
}

const SIGNATURE = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp';
/** A DER ECDSA P-256 signature is at most 72 bytes. */
const MAX_DER_BYTES = 72;

/**
 * SendGrid Event Webhook (signed): `X-Twilio-Email-Event-Webhook-Signature` = base64 DER ECDSA
 * P-256/SHA-256 over `timestamp + rawBody`, with `X-Twilio-Email-Event-Webhook-Timestamp`. The
 * configured "secret" is the PUBLIC verification key from Mail Settings (base64 SPKI, or PEM).
 * `sign()` takes a P-256 private key (PKCS#8 PEM or DER) — for tests; SendGrid holds the real one.
 */
export function sendgrid(options: SendGridOptions = {}): WebhookScheme<KeyObject, SendGridParsed> {
  const name = options.name ?? 'sendgrid';
  const message = (timestampText: string, body: Buffer) => Buffer.concat([Buffer.from(timestampText), body]);

  return {
    name,
    signs: { id: false, timestamp: true, type: false },
    defaultToleranceMs: options.toleranceMs ?? 5 * 60_000,

    parse(headers: WebhookHeaders, { limits }: ParseContext): SendGridParsed {
      const value = requireSignatureHeader(headers, SIGNATURE, limits).trim();
      const signature = decodeCanonicalBase64(value);
      if (signature === undefined || signature.length < 8 || signature.length > MAX_DER_BYTES) {
        throw new WebhookVerificationError(
          'malformed_signature',
          `Header ${SIGNATURE} is not a base64 DER signature.`,
        );
      }
      const timestampText = requireHeader(headers, [TIMESTAMP], limits.maxHeaderLength);
      return { signatures: [signature], timestamp: parseUnixSeconds(timestampText), timestampText };
    },

    importKey(secret: string | Buffer): KeyObject {
      const pem = typeof secret === 'string' && secret.trimStart().startsWith('-----BEGIN');
      if (typeof secret === 'string' && !pem) refuseStrayWhitespace('SendGrid public key', secret);
      const der = typeof secret === 'string' && !pem ? decodeBase64(secret) : undefined;
      let key: KeyObject;
      try {
        key = Buffer.isBuffer(secret)
          ? createPublicKey({ key: secret, format: 'der', type: 'spki' })
          : pem
            ? createPublicKey(secret)
            : createPublicKey({ key: der ?? Buffer.alloc(0), format: 'der', type: 'spki' });
      } catch {
        throw new WebhookVerificationError(
          'invalid_secret',
          'The SendGrid verification key is not a base64 SPKI (or PEM) public key.',
        );
      }
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new WebhookVerificationError(
          'invalid_secret',
          'The SendGrid verification key is not an ECDSA P-256 key.',
        );
      }
      return key;
    },

    verify(parsed: SendGridParsed, rawBody: Buffer, key: KeyObject): boolean {
      const data = message(parsed.timestampText, rawBody);
      let matched = false;
      for (const signature of parsed.signatures) {
        try {
          if (verifyWith('sha256', data, { key, dsaEncoding: 'der' }, signature)) matched = true;
        } catch {
          // A structurally invalid DER signature simply does not match.
        }
      }
      return matched;
    },

    sign(input: SignInput): Record<string, string> {
      const privateKey = Buffer.isBuffer(input.secret)
        ? createPrivateKey({ key: input.secret, format: 'der', type: 'pkcs8' })
        : createPrivateKey(input.secret);
      const timestampText = String(toUnixSeconds(signTime(input)));
      const signature = signWith('sha256', message(timestampText, toBuffer(input.body)), {
        key: privateKey,
        dsaEncoding: 'der',
      });
      return {
        [SIGNATURE]: signature.toString('base64'),
        [TIMESTAMP]: timestampText,
        'content-type': 'application/json',
      };
    },
  };
}
