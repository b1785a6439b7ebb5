import type { AnyWebhookScheme, VerificationOutcome, WebhookRequest } from '@verified-webhooks/core';

/** A request as tests write it: the body may be a string. */
export type TestRequest = Omit<Partial<WebhookRequest>, 'rawBody'> & { rawBody: Buffer | string };
import { MemoryReplayStore, WebhookVerificationError, WebhookVerifier } from '@verified-webhooks/core';

/** The refusal reason of a verification, or `accepted`. */
export async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return 'accepted';
}

export interface VerifyOptions {
  readonly secrets: string | string[];
  readonly now?: number;
  readonly toleranceMs?: number;
}

/** Verifies one request without replay protection, at a fixed clock. */
export function verifyWith(
  scheme: AnyWebhookScheme,
  request: TestRequest,
  options: VerifyOptions,
): Promise<VerificationOutcome> {
  const verifier = new WebhookVerifier({
    scheme,
    secrets: options.secrets,
    replay: false,
    clock: () => options.now ?? Date.now(),
    ...(options.toleranceMs === undefined ? {} : { toleranceMs: options.toleranceMs }),
  });
  return verifier.verify({
    headers: {},
    ...request,
    rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.from(request.rawBody),
  });
}

/**
 * Sends the first request through a replay-protected verifier, completes its claim, then sends the
 * second: returns the second's outcome kind (`duplicate` when the replay was caught).
 */
export async function secondDeliveryKind(
  scheme: AnyWebhookScheme,
  first: TestRequest,
  second: TestRequest,
  options: VerifyOptions,
): Promise<string> {
  const store = new MemoryReplayStore();
  const verifier = new WebhookVerifier({
    scheme,
    secrets: options.secrets,
    replay: { store },
    clock: () => options.now ?? Date.now(),
  });
  const toRequest = (request: TestRequest): WebhookRequest => ({
    headers: {},
    ...request,
    rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.from(request.rawBody),
  });
  try {
    const outcome = await verifier.verify(toRequest(first));
    if (outcome.kind !== 'new' || !outcome.claim) throw new Error(`first delivery was ${outcome.kind}`);
    await outcome.claim.complete();
    return (await verifier.verify(toRequest(second))).kind;
  } finally {
    await store.close();
  }
}
