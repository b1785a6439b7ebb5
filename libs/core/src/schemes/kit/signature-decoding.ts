import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { SignatureEncoding } from '../../internal/encoding.js';
import { decodeSignature } from '../../internal/encoding.js';

/**
 * Decodes the candidates that start with `prefix` and have the digest's length; the rest are
 * skipped (a rotation may list other versions).
 */
export function decodeCandidates(
  values: readonly string[],
  encoding: SignatureEncoding,
  bytes: number,
  prefix = '',
): Buffer[] {
  const signatures: Buffer[] = [];
  for (const value of values) {
    if (!value.startsWith(prefix)) continue;
    const signature = decodeSignature(value.slice(prefix.length), encoding);
    if (signature?.length === bytes) signatures.push(signature);
  }
  return signatures;
}

/** Decodes every trimmed candidate of the right length; none → `malformed_signature` (400). */
export function decodeSignatures(
  values: readonly string[],
  encoding: SignatureEncoding,
  bytes: number,
  headerName: string,
  prefix = '',
): Buffer[] {
  const signatures = decodeCandidates(
    values.map((value) => value.trim()),
    encoding,
    bytes,
    prefix,
  );
  if (signatures.length === 0) {
    throw new WebhookVerificationError(
      'malformed_signature',
      `Header ${headerName} holds no well-formed signature.`,
    );
  }
  return signatures;
}
