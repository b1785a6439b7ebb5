import type { AnyWebhookScheme, VerificationOutcome, WebhookRequest } from '@verified-webhooks/core';
import { MemoryReplayStore, WebhookVerificationError, WebhookVerifier } from '@verified-webhooks/core';

export type Headers = Record<string, string | string[]>;

/** The refusal reason, or `accepted`: every negative test asserts the exact reason. */
export async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
}

export interface DeliveryOptions {
  readonly secrets: string | Buffer | readonly (string | Buffer)[];
  /** Clock in ms; default now. */
  readonly now?: number;
  readonly toleranceMs?: number;
  readonly request?: Partial<WebhookRequest>;
}

/** Verifies one delivery without replay protection. */
export function deliver(
  scheme: AnyWebhookScheme,
  headers: Headers,
  body: string | Buffer,
  options: DeliveryOptions,
): Promise<VerificationOutcome> {
  const now = options.now ?? Date.now();
  const secrets = (Array.isArray(options.secrets) ? options.secrets : [options.secrets]).map((value) => ({
    value: value as string | Buffer,
  }));
  const verifier = new WebhookVerifier({
    scheme,
    secrets: () => secrets,
    replay: false,
    clock: () => now,
    ...(options.toleranceMs === undefined ? {} : { toleranceMs: options.toleranceMs }),
  });
  return verifier.verify({
    headers,
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    ...options.request,
  });
}

/**
 * Runs a delivery, completes its claim, then sends the same body and signature again with the
 * given header overrides (a fresh delivery id). Returns both outcomes' kinds.
 */
export async function replayWithFreshHeaders(
  scheme: AnyWebhookScheme,
  headers: Headers,
  body: string,
  secret: string,
  overrides: Headers,
  now = Date.now(),
): Promise<[string, string]> {
  const verifier = new WebhookVerifier({
    scheme,
    secrets: secret,
    replay: { store: new MemoryReplayStore({ now: () => now }) },
    clock: () => now,
  });
  const first = await verifier.verify({ headers, rawBody: Buffer.from(body) });
  if (first.kind !== 'new') return [first.kind, 'not attempted'];
  await first.claim?.complete();
  const second = await verifier.verify({ headers: { ...headers, ...overrides }, rawBody: Buffer.from(body) });
  return [first.kind, second.kind];
}

/** The answer to a handshake; fails the test on anything else. */
export function replyOf(outcome: VerificationOutcome) {
  if (outcome.kind !== 'handshake') throw new Error(`expected a handshake, got ${outcome.kind}`);
  return outcome.reply;
}
