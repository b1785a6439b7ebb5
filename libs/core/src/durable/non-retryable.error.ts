/**
 * Thrown by a handler for a delivery that can never succeed (a deleted account, a malformed order):
 * the job goes to the dead letters at once instead of being retried.
 */
export class NonRetryableWebhookError extends Error {
  override readonly name = 'NonRetryableWebhookError';
}

export const isNonRetryable = (error: unknown): boolean =>
  error instanceof NonRetryableWebhookError ||
  (error instanceof Error && error.name === 'NonRetryableWebhookError');
