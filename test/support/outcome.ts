import type { VerificationOutcome, VerifiedWebhook } from '@verified-webhooks/core';

/** The verified event of an outcome; fails the test on a handshake. */
export function eventOf(outcome: VerificationOutcome): VerifiedWebhook {
  if (outcome.kind === 'handshake') throw new Error('expected a delivery, got a handshake');
  return outcome.event;
}
