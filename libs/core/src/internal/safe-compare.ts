import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality for MACs. Lengths are public (every valid MAC of an algorithm has the same
 * length), so the length check may return early; the bytes are compared without early exit.
 */
export function safeEqual(expected: Buffer, received: Buffer): boolean {
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/**
 * True when any received signature equals the expected MAC. Every candidate is compared, so the
 * time taken does not tell which one matched.
 */
export function anySignatureMatches(expected: Buffer, received: readonly Buffer[]): boolean {
  let matched = false;
  for (const candidate of received) {
    if (safeEqual(expected, candidate)) matched = true;
  }
  return matched;
}
