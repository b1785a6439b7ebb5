import type { QueueControl } from './queue-control.js';
import type { StoredDelivery } from './stored-delivery.js';

/** One handler's run of one delivery: the unit a queue retries and dead-letters. */
export interface WebhookJob {
  /** The handler's idempotency key for this delivery: the job id, so a delivery is queued once. */
  readonly id: string;
  readonly endpoint: string;
  readonly handler: string;
  readonly delivery: StoredDelivery;
  /** 1 on the first run. */
  readonly attempt: number;
  /** Runs this job may have in all: a failure at `attempt` = `maxAttempts` dead-letters it. */
  readonly maxAttempts?: number;
}

export type JobProcessor = (job: WebhookJob) => Promise<void>;

/** A job that exhausted its attempts or failed with a NonRetryableWebhookError. */
export interface DeadLetter {
  readonly id: string;
  readonly endpoint: string;
  readonly handler: string;
  readonly deliveryId: string | undefined;
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: Date;
}

export interface DeadLetterFilter {
  readonly endpoint?: string;
  readonly id?: string;
  /** Failed at or after. */
  readonly since?: Date;
  /** Failed before. */
  readonly until?: Date;
  /** A substring of the last error. */
  readonly error?: string;
}

export interface DeadLetterAction extends DeadLetterFilter {
  /** List what would be done, do nothing. */
  readonly dryRun?: boolean;
  /** At most this many jobs a second (retry). */
  readonly ratePerSecond?: number;
}

/** Retries: exponential backoff from `baseDelayMs`, with jitter, for at most `maxAttempts` runs. */
export interface RetryPolicy {
  /** Runs of one job in all, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** The first backoff; each next one doubles. Default 1,000 ms. */
  readonly baseDelayMs?: number;
  /** The longest backoff. Default 1 hour. */
  readonly maxDelayMs?: number;
}

export const DEFAULT_RETRY_POLICY = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60 * 60_000 } as const;

/**
 * Where verified deliveries wait for their handlers. `BullmqWebhookQueue` (Redis, durable) in
 * production; `InProcessQueue` (memory, not durable) for development and tests. Same API.
 */
export interface WebhookQueue extends QueueControl {
  /** Whether a stored delivery survives a crash of this process. */
  readonly durable: boolean;
  /**
   * Stores one job per handler; resolves once stored (only then may the sender be answered). A job
   * whose id is already known is not added again. Rejects when the queue cannot store.
   */
  enqueue(delivery: StoredDelivery, handlers: readonly string[]): Promise<void>;
  /** Starts running `endpoint`'s jobs, at most `concurrency` at once. */
  process(
    endpoint: string,
    processor: JobProcessor,
    options: { readonly concurrency: number },
  ): Promise<void>;
  deadLetters(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  /** Queues dead letters again (attempts start over); resolves with those it retried. */
  retryDeadLetters(action?: DeadLetterAction): Promise<DeadLetter[]>;
  /** Deletes dead letters; resolves with those it deleted. */
  purgeDeadLetters(action?: DeadLetterAction): Promise<DeadLetter[]>;
  /** Answers when the backend is reachable; throws otherwise. */
  ping(): Promise<void>;
  /** What is wrong with the backend's setup for durability (told at boot), e.g. Redis evicting keys. */
  setupWarnings?(): Promise<string[]>;
  /** Stops taking jobs and waits for the running ones (graceful shutdown); closes what it opened. */
  close(): Promise<void>;
}

/** The queue could not store a delivery: the sender is answered 503 and retries. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
}

/** The backoff before `attempt` + 1, after `attempt` failed: exponential with full jitter on its upper half. */
export function retryDelayMs(attempt: number, policy: RetryPolicy = {}): number {
  const base = policy.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs;
  const max = policy.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs;
  const exponential = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}

/** Whether a dead letter passes a filter. */
export function matchesFilter(letter: DeadLetter, filter: DeadLetterFilter = {}): boolean {
  return (
    (filter.endpoint === undefined || letter.endpoint === filter.endpoint) &&
    (filter.id === undefined || letter.id === filter.id || letter.deliveryId === filter.id) &&
    (filter.since === undefined || letter.failedAt >= filter.since) &&
    (filter.until === undefined || letter.failedAt < filter.until) &&
    (filter.error === undefined || letter.error.includes(filter.error))
  );
}
