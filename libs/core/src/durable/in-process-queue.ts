import type { EndpointQueueStats } from './queue-control.js';
import type { ArchivedDelivery, ArchiveFilter } from '../archive/archive-sink.interface.js';
import { errorText } from '../internal/error-text.js';
import { jobIdOf } from './job-id.js';
import { JobLedger } from './job-ledger.js';
import type { StoredDelivery } from './stored-delivery.js';
import { isNonRetryable } from './non-retryable.error.js';
import { paced } from './pace.js';
import type {
  DeadLetter,
  DeadLetterAction,
  DeadLetterFilter,
  JobProcessor,
  RetryPolicy,
  WebhookJob,
  WebhookQueue,
} from './webhook-queue.interface.js';
import { DEFAULT_RETRY_POLICY, matchesFilter, retryDelayMs } from './webhook-queue.interface.js';

interface Pending {
  readonly job: Omit<WebhookJob, 'attempt'>;
  attempt: number;
  /** When it was first queued (a retry keeps it, as BullMQ's job timestamp does). */
  readonly queuedAt: number;
}

interface Worker {
  readonly processor: JobProcessor;
  readonly concurrency: number;
  running: number;
}

/**
 * The in-process queue: jobs live in this process's memory and are lost with it. **Not durable**:
 * for development and tests (the same API as `BullmqWebhookQueue`, retries, backoff and dead letters
 * included). Jobs enqueued before `process()` wait for it; a paused endpoint's wait for `resume()`
 * (in this process's memory only).
 */
const KNOWN_FOR_MS = 24 * 60 * 60_000;

export class InProcessQueue implements WebhookQueue {
  readonly durable = false;
  private readonly waiting = new Map<string, Pending[]>();
  private readonly workers = new Map<string, Worker>();
  /** Job ids queued, by when: a copy within a day is not queued again (BullMQ keeps finished jobs as long). */
  private readonly known = new Map<string, number>();
  private readonly dead = new Map<string, { letter: DeadLetter; pending: Pending }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly paused = new Set<string>();
  /** Jobs waiting for a retry's backoff, by endpoint. */
  private readonly delayed = new Map<string, number>();
  /** The default archive: what was queued, and how each job ended, for a day. */
  private readonly ledger = new JobLedger();
  private closed = false;

  constructor(private readonly retry: RetryPolicy = {}) {}

  enqueue(delivery: StoredDelivery, handlers: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The in-process queue is closed.'));
    const now = Date.now();
    this.forgetBefore(now - KNOWN_FOR_MS);
    for (const handler of handlers) {
      const id = jobIdOf(delivery, handler);
      if (this.known.has(id)) continue;
      this.known.set(id, now);
      this.ledger.queued(id, handler, delivery);
      this.push({
        job: { id, endpoint: delivery.endpoint, handler, delivery },
        attempt: 1,
        queuedAt: Date.now(),
      });
    }
    return Promise.resolve();
  }

  process(
    endpoint: string,
    processor: JobProcessor,
    options: { readonly concurrency: number },
  ): Promise<void> {
    this.workers.set(endpoint, { processor, concurrency: Math.max(1, options.concurrency), running: 0 });
    this.drain(endpoint);
    return Promise.resolve();
  }

  deadLetters(filter?: DeadLetterFilter): Promise<DeadLetter[]> {
    return Promise.resolve(this.select(filter));
  }

  async retryDeadLetters(action: DeadLetterAction = {}): Promise<DeadLetter[]> {
    const selected = this.select(action);
    if (action.dryRun) return selected;
    await paced(selected, action.ratePerSecond, (letter) => {
      const entry = this.dead.get(letter.id);
      if (!entry) return;
      this.dead.delete(letter.id);
      entry.pending.attempt = 1;
      this.push(entry.pending);
    });
    return selected;
  }

  purgeDeadLetters(action: DeadLetterAction = {}): Promise<DeadLetter[]> {
    const selected = this.select(action);
    if (!action.dryRun) for (const letter of selected) this.dead.delete(letter.id);
    return Promise.resolve(selected);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  pause(endpoint: string): Promise<void> {
    this.paused.add(endpoint);
    return Promise.resolve();
  }

  resume(endpoint: string): Promise<void> {
    this.paused.delete(endpoint);
    this.drain(endpoint);
    return Promise.resolve();
  }

  isPaused(endpoint: string): Promise<boolean> {
    return Promise.resolve(this.paused.has(endpoint));
  }

  stats(endpoints?: readonly string[]): Promise<EndpointQueueStats[]> {
    const dead = [...this.dead.values()].map(({ letter }) => letter.endpoint);
    const names =
      endpoints ??
      [
        ...new Set([
          ...this.waiting.keys(),
          ...this.workers.keys(),
          ...this.paused,
          ...this.delayed.keys(),
          ...dead,
        ]),
      ].sort();
    return Promise.resolve(
      names.map((endpoint) => {
        const waiting = this.waiting.get(endpoint) ?? [];
        return {
          endpoint,
          paused: this.paused.has(endpoint),
          waiting: waiting.length,
          active: this.workers.get(endpoint)?.running ?? 0,
          delayed: this.delayed.get(endpoint) ?? 0,
          deadLetters: dead.filter((name) => name === endpoint).length,
          oldestWaitingAt:
            waiting.length === 0
              ? undefined
              : waiting.reduce((oldest, pending) => Math.min(oldest, pending.queuedAt), Infinity),
        };
      }),
    );
  }

  /** The deliveries still in this queue's retention (a day): the default archive. */
  archived(filter?: ArchiveFilter): Promise<ArchivedDelivery[]> {
    return Promise.resolve(this.ledger.deliveries(filter));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Ids are kept in the order they were queued, so the expired ones are at the front. */
  private forgetBefore(cutoff: number): void {
    for (const [id, queuedAt] of this.known) {
      if (queuedAt >= cutoff) return;
      this.known.delete(id);
    }
  }

  private get maxAttempts(): number {
    return this.retry.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts;
  }

  private select(filter: DeadLetterFilter = {}): DeadLetter[] {
    return [...this.dead.values()]
      .map(({ letter }) => letter)
      .filter((letter) => matchesFilter(letter, filter));
  }

  private push(pending: Pending): void {
    const endpoint = pending.job.endpoint;
    let list = this.waiting.get(endpoint);
    if (!list) this.waiting.set(endpoint, (list = []));
    list.push(pending);
    this.drain(endpoint);
  }

  private drain(endpoint: string): void {
    const worker = this.workers.get(endpoint);
    const list = this.waiting.get(endpoint);
    if (this.paused.has(endpoint)) return;
    while (!this.closed && worker && list && list.length > 0 && worker.running < worker.concurrency) {
      const pending = list.shift()!;
      worker.running++;
      const run = this.run(worker, pending).finally(() => {
        worker.running--;
        this.inFlight.delete(run);
        this.drain(endpoint);
      });
      this.inFlight.add(run);
    }
  }

  private async run(worker: Worker, pending: Pending): Promise<void> {
    const maxAttempts = this.maxAttempts;
    try {
      await worker.processor({ ...pending.job, attempt: pending.attempt, maxAttempts });
      this.ledger.settled(pending.job.id, 'processed', pending.attempt);
    } catch (error) {
      const dead = isNonRetryable(error) || pending.attempt >= maxAttempts;
      const message = errorText(error);
      this.ledger.settled(pending.job.id, dead ? 'dead-lettered' : 'failed', pending.attempt, message);
      if (dead) {
        this.dead.set(pending.job.id, {
          pending,
          letter: {
            id: pending.job.id,
            endpoint: pending.job.endpoint,
            handler: pending.job.handler,
            deliveryId: pending.job.delivery.id,
            attempts: pending.attempt,
            error: message,
            failedAt: new Date(),
          },
        });
        return;
      }
      const endpoint = pending.job.endpoint;
      this.delayed.set(endpoint, (this.delayed.get(endpoint) ?? 0) + 1);
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          this.delayed.set(endpoint, this.delayed.get(endpoint)! - 1);
          pending.attempt++;
          this.push(pending);
        },
        retryDelayMs(pending.attempt, this.retry),
      );
      this.timers.add(timer);
    }
  }
}
