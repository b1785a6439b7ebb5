import type { Job, JobType } from 'bullmq';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { ArchivedDelivery, ArchiveFilter } from '../archive/archive-sink.interface.js';
import { withDeadline } from '../internal/deadline.js';
import { errorText } from '../internal/error-text.js';
import { closeClient } from '../replay/redis-replay.store.js';
import { archivedInBullmq } from './bullmq-archive.js';
import { jobIdOf } from './job-id.js';
import { isNonRetryable } from './non-retryable.error.js';
import { paced } from './pace.js';
import type { EndpointQueueStats } from './queue-control.js';
import type { StoredDelivery } from './stored-delivery.js';
import type {
  DeadLetter,
  DeadLetterAction,
  DeadLetterFilter,
  JobProcessor,
  RetryPolicy,
  WebhookQueue,
} from './webhook-queue.interface.js';
import {
  DEFAULT_RETRY_POLICY,
  matchesFilter,
  QueueUnavailableError,
  retryDelayMs,
} from './webhook-queue.interface.js';

type RedisClient = Redis | Cluster;

export interface BullmqWebhookQueueOptions {
  /** BullMQ's key prefix, hash-tagged so each queue's keys share a Cluster slot. Default `{vw}`. */
  readonly prefix?: string;
  readonly retry?: RetryPolicy;
  /** How long dead letters are kept. Default 14 days. */
  readonly deadLetterRetentionMs?: number;
  /** How long completed jobs are kept (a late copy of their delivery is not queued again meanwhile). Default 1 day. */
  readonly completedRetentionMs?: number;
  /**
   * How long `close()` waits for running jobs before it stops the workers anyway (their jobs are then
   * stalled and picked up again by another worker). Default 10 s, within a typical shutdown grace.
   */
  readonly closeTimeoutMs?: number;
  /** Longest an enqueue may take before the sender is answered 503. Default 2 s. */
  readonly enqueueTimeoutMs?: number;
  /**
   * How long a worker's hold on a running job lasts unless renewed (BullMQ's `lockDuration`; the
   * stalled-job check runs as often). A worker that crashed mid-job loses it after this and another
   * worker runs the job again. Default 30 s, BullMQ's.
   */
  readonly lockDurationMs?: number;
}

interface JobData {
  readonly handler: string;
  readonly delivery: StoredDelivery;
}

const DAY_MS = 24 * 60 * 60_000;
const BACKOFF = 'verified-webhooks';

/**
 * Durable processing on Redis (single node or Cluster) through BullMQ: one BullMQ queue per endpoint,
 * one job per handler and delivery (the job id is the handler's idempotency key, so a delivery is
 * queued once), retries with exponential backoff and jitter, dead letters in BullMQ's failed set.
 *
 * Two connections, as BullMQ needs them: `producer` for enqueueing and operating (fail fast:
 * `maxRetriesPerRequest: 1`, a `commandTimeout`, so an outage answers 503 quickly), `worker` for the
 * blocking worker commands (`maxRetriesPerRequest: null`, which BullMQ requires). `fromUrl` opens both.
 */
export class BullmqWebhookQueue implements WebhookQueue {
  readonly durable = true;
  private readonly prefix: string;
  private readonly queues = new Map<string, Queue<JobData>>();
  private readonly workers: Worker<JobData>[] = [];

  constructor(
    private readonly producer: RedisClient,
    private readonly worker: RedisClient | undefined,
    private readonly options: BullmqWebhookQueueOptions = {},
    private readonly ownsConnections = false,
  ) {
    this.prefix = options.prefix ?? '{vw}';
  }

  /** Opens both connections for `url` (`redis://`, `rediss://`); closed by `close()`. */
  static async fromUrl(url: string, options: BullmqWebhookQueueOptions & { commandTimeoutMs?: number } = {}) {
    const { Redis } = await import('ioredis');
    const producer = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    const worker = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
    for (const client of [producer, worker]) client.on('error', () => undefined);
    await Promise.all([producer.connect().catch(() => undefined), worker.connect().catch(() => undefined)]);
    return new BullmqWebhookQueue(producer, worker, options, true);
  }

  async enqueue(delivery: StoredDelivery, handlers: readonly string[]): Promise<void> {
    const maxAttempts = this.options.retry?.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts;
    try {
      // Bounded here: BullMQ waits for a connection that is not ready yet without a limit of its own.
      await withDeadline(
        this.options.enqueueTimeoutMs ?? 2_000,
        this.queueFor(delivery.endpoint).addBulk(
          handlers.map((handler) => ({
            name: handler,
            data: { handler, delivery },
            opts: {
              jobId: jobIdOf(delivery, handler),
              attempts: maxAttempts,
              backoff: { type: BACKOFF },
              removeOnComplete: { age: Math.ceil((this.options.completedRetentionMs ?? DAY_MS) / 1000) },
              removeOnFail: { age: Math.ceil((this.options.deadLetterRetentionMs ?? 14 * DAY_MS) / 1000) },
            },
          })),
        ),
      );
    } catch (error) {
      throw new QueueUnavailableError(`The queue could not store the delivery: ${errorText(error)}`, {
        cause: error,
      });
    }
  }

  process(
    endpoint: string,
    processor: JobProcessor,
    options: { readonly concurrency: number },
  ): Promise<void> {
    const worker = new Worker<JobData>(
      queueName(endpoint),
      async (job: Job<JobData>) => {
        try {
          await processor({
            id: job.id!,
            endpoint,
            handler: job.data.handler,
            delivery: job.data.delivery,
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? 1,
          });
        } catch (error) {
          // BullMQ's own signal for "do not retry": the job fails at once, kept as a dead letter.
          if (isNonRetryable(error)) throw new UnrecoverableError(errorText(error));
          throw error;
        }
      },
      {
        connection: this.worker ?? this.producer,
        prefix: this.prefix,
        concurrency: Math.max(1, options.concurrency),
        ...(this.options.lockDurationMs === undefined
          ? {}
          : { lockDuration: this.options.lockDurationMs, stalledInterval: this.options.lockDurationMs }),
        settings: {
          backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, this.options.retry),
        },
      },
    );
    worker.on('error', () => undefined);
    this.workers.push(worker);
    return worker.waitUntilReady().then(() => undefined);
  }

  async deadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    return (await this.failedJobs(filter)).map(({ letter }) => letter);
  }

  async retryDeadLetters(action: DeadLetterAction = {}): Promise<DeadLetter[]> {
    const selected = await this.failedJobs(action);
    if (!action.dryRun) {
      await paced(selected, action.ratePerSecond, ({ job }) =>
        job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }),
      );
    }
    return selected.map(({ letter }) => letter);
  }

  async purgeDeadLetters(action: DeadLetterAction = {}): Promise<DeadLetter[]> {
    const selected = await this.failedJobs(action);
    if (!action.dryRun) await Promise.all(selected.map(({ job }) => job.remove()));
    return selected.map(({ letter }) => letter);
  }

  async ping(): Promise<void> {
    await this.producer.ping();
  }

  /** BullMQ's global pause: a flag in Redis, so it holds across restarts and for every worker process. */
  async pause(endpoint: string): Promise<void> {
    await this.queueFor(endpoint).pause();
  }

  async resume(endpoint: string): Promise<void> {
    await this.queueFor(endpoint).resume();
  }

  isPaused(endpoint: string): Promise<boolean> {
    return this.queueFor(endpoint).isPaused();
  }

  /**
   * A few commands per endpoint, none reading a job's data: BullMQ's counts, its pause flag, and
   * the timestamp of the job at the head of the wait list (BullMQ takes jobs from its right end).
   */
  async stats(endpoints?: readonly string[]): Promise<EndpointQueueStats[]> {
    const names = endpoints ?? (await this.endpoints());
    return Promise.all(
      names.map(async (endpoint) => {
        const queue = this.queueFor(endpoint);
        const [counts, paused, head, legacyHead] = await Promise.all([
          queue.getJobCounts(...COUNTED),
          queue.isPaused(),
          this.producer.lindex(queue.toKey('wait'), -1),
          this.producer.lindex(queue.toKey('paused'), -1),
        ]);
        const oldest = head ?? legacyHead;
        const queuedAt = oldest ? await this.producer.hget(queue.toKey(oldest), 'timestamp') : null;
        return {
          endpoint,
          paused,
          waiting: (counts.wait ?? 0) + (counts.paused ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          deadLetters: counts.failed ?? 0,
          oldestWaitingAt: queuedAt ? Number(queuedAt) : undefined,
        };
      }),
    );
  }

  /** The deliveries whose jobs are still kept (see the retention options): the default archive. */
  async archived(filter: ArchiveFilter = {}): Promise<ArchivedDelivery[]> {
    const endpoints = filter.endpoint === undefined ? await this.endpoints() : [filter.endpoint];
    return archivedInBullmq(
      endpoints.map((endpoint) => this.queueFor(endpoint)),
      filter,
    );
  }

  setupWarnings(): Promise<string[]> {
    const node = this.producer.isCluster
      ? (this.producer as Cluster).nodes('master')[0]
      : (this.producer as Redis);
    return node ? checkQueueRedis(node) : Promise.resolve([]);
  }

  /** Waits for running jobs (BullMQ's worker close, bounded), then closes the queues and owned connections. */
  async close(): Promise<void> {
    const drain = Promise.all(this.workers.map((worker) => worker.close()));
    const force = () => Promise.all(this.workers.map((worker) => worker.close(true)));
    // Every step bounded: a Redis that is gone (or reconnecting) must not hang the app's shutdown.
    await withDeadline(this.options.closeTimeoutMs ?? 10_000, drain)
      .catch(() => withDeadline(1_000, force()))
      .catch(() => undefined);
    const queues = Promise.all([...this.queues.values()].map((queue) => queue.close()));
    await withDeadline(this.options.closeTimeoutMs ?? 10_000, queues).catch(() => undefined);
    if (this.ownsConnections) {
      for (const client of [this.producer, this.worker]) if (client) await closeClient(client);
    }
  }

  /** The endpoints with a queue on this Redis (the CLI lists them without being told). */
  async endpoints(): Promise<string[]> {
    const marker = `${this.prefix}:${QUEUE_PREFIX}`;
    const nodes = this.producer.isCluster
      ? (this.producer as Cluster).nodes('master')
      : [this.producer as Redis];
    const found = new Set<string>();
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${marker}*:meta`, 'COUNT', 500);
        cursor = next;
        for (const key of keys) found.add(decodeURIComponent(key.slice(marker.length, -':meta'.length)));
      } while (cursor !== '0');
    }
    return [...found].sort();
  }

  private queueFor(endpoint: string): Queue<JobData> {
    let queue = this.queues.get(endpoint);
    if (!queue) {
      queue = new Queue<JobData>(queueName(endpoint), { connection: this.producer, prefix: this.prefix });
      queue.on('error', () => undefined);
      this.queues.set(endpoint, queue);
    }
    return queue;
  }

  private async failedJobs(filter: DeadLetterFilter): Promise<{ job: Job<JobData>; letter: DeadLetter }[]> {
    const endpoints = filter.endpoint === undefined ? await this.endpoints() : [filter.endpoint];
    const selected: { job: Job<JobData>; letter: DeadLetter }[] = [];
    for (const endpoint of endpoints) {
      const jobs = (await this.queueFor(endpoint).getFailed(0, -1)) as Job<JobData>[];
      for (const job of jobs) {
        const letter: DeadLetter = {
          id: job.id!,
          endpoint,
          handler: job.data.handler,
          deliveryId: job.data.delivery.id,
          attempts: job.attemptsMade,
          error: job.failedReason,
          failedAt: new Date(job.finishedOn ?? job.timestamp),
        };
        if (matchesFilter(letter, filter)) selected.push({ job, letter });
      }
    }
    return selected.sort((a, b) => a.letter.failedAt.getTime() - b.letter.failedAt.getTime());
  }
}

const QUEUE_PREFIX = 'webhooks-';
/** 'paused': the list BullMQ 5 moved held jobs to (6 keeps them in 'wait'); its count script still reads it. */
const COUNTED = ['wait', 'paused', 'prioritized', 'active', 'delayed', 'failed'] as JobType[];
const queueName = (endpoint: string) => `${QUEUE_PREFIX}${encodeURIComponent(endpoint)}`;

/**
 * What a Redis for durable queues should have, as warnings: BullMQ loses jobs when Redis evicts keys
 * (`maxmemory-policy` other than `noeviction`) and across a restart without persistence.
 */
export async function checkQueueRedis(client: Redis): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const [, policy] = (await client.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy && policy !== 'noeviction') {
      warnings.push(`Redis maxmemory-policy is ${policy}: queued deliveries can be evicted; set noeviction.`);
    }
  } catch {
    // CONFIG is disabled on some managed Redis: nothing to read.
  }
  const info = await client.info('persistence').catch(() => '');
  if (info && !/aof_enabled:1/.test(info)) {
    warnings.push(
      'Redis AOF is off: a crash loses acknowledged deliveries (all of them without snapshots); set appendonly yes.',
    );
  }
  return warnings;
}
