import type { Counter, Histogram, Registry } from 'prom-client';
import type { EndpointQueueStats } from '@verified-webhooks/core';
import type { MetricsRegistry } from './webhook-metrics.js';

export const QUEUE_JOBS_METRIC = 'webhook_queue_jobs';
export const QUEUE_PAUSED_METRIC = 'webhook_queue_paused';
export const QUEUE_OLDEST_METRIC = 'webhook_queue_oldest_waiting_seconds';
export const QUEUE_UP_METRIC = 'webhook_queue_up';
export const JOBS_METRIC = 'webhook_jobs_total';
export const JOB_DURATION_METRIC = 'webhook_job_duration_seconds';
export const JOB_ATTEMPTS_METRIC = 'webhook_job_attempts';
export const REPLAYS_METRIC = 'webhook_replays_total';

/** How a job's run ended: `completed`, `retry` (it runs again after a backoff) or `dead_letter`. */
export type JobOutcome = 'completed' | 'retry' | 'dead_letter';

/** Reads the queue at scrape time: the control service's `status()`. */
export type QueueStatsSource = () => Promise<EndpointQueueStats[]>;

/** Longest a scrape waits for the queue's state: an unreachable Redis must not hang /metrics. */
const SCRAPE_DEADLINE_MS = 2_000;

type Client = typeof import('prom-client');

/**
 * The durable routes' metrics, in the registry of `WebhookMetrics` (docs/architecture.md,
 * "Observability"). Read on each scrape (prom-client's `collect()`): the queue's depth by state,
 * whether each endpoint is paused, the oldest waiting job's age, and `webhook_queue_up` (0 when the
 * queue could not be read). One read of the queue per scrape, shared by the gauges: a few commands per
 * endpoint, none reading a job's body. Counted as they happen: job runs by outcome, run time,
 * attempts of finished jobs, replays. A no-op while metrics are off.
 */
export class WebhookQueueMetrics {
  static readonly disabled = new WebhookQueueMetrics(undefined);

  private constructor(private readonly live: LiveMetrics | undefined) {}

  /** Registers the metrics in `registry` (WebhookMetrics' own), or nothing when it is undefined. */
  static async create(
    registry: MetricsRegistry | undefined,
    source: QueueStatsSource,
  ): Promise<WebhookQueueMetrics> {
    if (!registry) return WebhookQueueMetrics.disabled;
    const client = await import('prom-client');
    return new WebhookQueueMetrics(new LiveMetrics(client, registry as unknown as Registry, source));
  }

  get enabled(): boolean {
    return this.live !== undefined;
  }

  /** One run of a job ended; `seconds` its run time, `attempt` its number (1 on the first run). */
  job(endpoint: string, handler: string, outcome: JobOutcome, seconds: number, attempt: number): void {
    const live = this.live;
    if (!live) return;
    live.jobs.inc({ endpoint, handler, outcome });
    live.duration.observe({ endpoint, handler }, seconds);
    if (outcome !== 'retry') live.attempts.observe({ endpoint, handler }, attempt);
  }

  /**
   * Counts replayed deliveries of `endpoint` (`webhook_replays_total`): for the replay operation to
   * call when it queues archived deliveries again; the worker also counts each job whose stored
   * delivery is marked as a replay (`StoredDelivery.replay`).
   */
  recordReplay(endpoint: string, count = 1): void {
    this.live?.replays.inc({ endpoint }, count);
  }
}

class LiveMetrics {
  readonly jobs: Counter<'endpoint' | 'handler' | 'outcome'>;
  readonly duration: Histogram<'endpoint' | 'handler'>;
  readonly attempts: Histogram<'endpoint' | 'handler'>;
  readonly replays: Counter<'endpoint'>;
  private pending: Promise<EndpointQueueStats[] | undefined> | undefined;

  constructor(client: Client, registry: Registry, source: QueueStatsSource) {
    const registers = [registry];
    const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
    this.jobs =
      existing(JOBS_METRIC) ??
      new client.Counter({
        name: JOBS_METRIC,
        help: 'Runs of queued webhook jobs by outcome: completed, retry (runs again after a backoff) or dead_letter.',
        labelNames: ['endpoint', 'handler', 'outcome'] as const,
        registers,
      });
    this.duration =
      existing(JOB_DURATION_METRIC) ??
      new client.Histogram({
        name: JOB_DURATION_METRIC,
        help: 'Time one run of a queued webhook job took (its handler), in seconds, whatever its outcome.',
        labelNames: ['endpoint', 'handler'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers,
      });
    this.attempts =
      existing(JOB_ATTEMPTS_METRIC) ??
      new client.Histogram({
        name: JOB_ATTEMPTS_METRIC,
        help: 'Runs a queued webhook job took until it completed or was dead-lettered.',
        labelNames: ['endpoint', 'handler'] as const,
        buckets: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20],
        registers,
      });
    this.replays =
      existing(REPLAYS_METRIC) ??
      new client.Counter({
        name: REPLAYS_METRIC,
        help: 'Archived webhook deliveries replayed to their handlers.',
        labelNames: ['endpoint'] as const,
        registers,
      });

    // Gauges read at scrape time belong to the latest app (a test's second app, a hot reload): the
    // collect() of one whose queue is closed would report nothing but errors.
    for (const name of [QUEUE_JOBS_METRIC, QUEUE_PAUSED_METRIC, QUEUE_OLDEST_METRIC, QUEUE_UP_METRIC]) {
      registry.removeSingleMetric(name);
    }
    const snapshot = () => (this.pending ??= this.read(source).finally(() => (this.pending = undefined)));
    new client.Gauge({
      name: QUEUE_JOBS_METRIC,
      help: 'Queued webhook jobs by state: waiting, paused (waiting on a paused endpoint), active, delayed (retry backoff), dead_letter.',
      labelNames: ['endpoint', 'state'] as const,
      registers,
      async collect() {
        this.reset();
        for (const entry of (await snapshot()) ?? []) {
          const held = entry.paused ? entry.waiting : 0;
          this.set({ endpoint: entry.endpoint, state: 'waiting' }, entry.waiting - held);
          this.set({ endpoint: entry.endpoint, state: 'paused' }, held);
          this.set({ endpoint: entry.endpoint, state: 'active' }, entry.active);
          this.set({ endpoint: entry.endpoint, state: 'delayed' }, entry.delayed);
          this.set({ endpoint: entry.endpoint, state: 'dead_letter' }, entry.deadLetters);
        }
      },
    });
    new client.Gauge({
      name: QUEUE_PAUSED_METRIC,
      help: 'Whether an endpoint is paused (1): its deliveries are accepted and queued, not processed.',
      labelNames: ['endpoint'] as const,
      registers,
      async collect() {
        this.reset();
        for (const entry of (await snapshot()) ?? [])
          this.set({ endpoint: entry.endpoint }, entry.paused ? 1 : 0);
      },
    });
    new client.Gauge({
      name: QUEUE_OLDEST_METRIC,
      help: 'Age of the oldest waiting webhook job, in seconds (0 when none waits).',
      labelNames: ['endpoint'] as const,
      registers,
      async collect() {
        this.reset();
        const now = Date.now();
        for (const entry of (await snapshot()) ?? []) {
          const age =
            entry.oldestWaitingAt === undefined ? 0 : Math.max(0, now - entry.oldestWaitingAt) / 1000;
          this.set({ endpoint: entry.endpoint }, age);
        }
      },
    });
    new client.Gauge({
      name: QUEUE_UP_METRIC,
      help: 'Whether the webhook queue could be read at this scrape (1) or not (0: Redis unreachable).',
      registers,
      async collect() {
        this.set((await snapshot()) ? 1 : 0);
      },
    });
  }

  /** The queue's state, or undefined when it cannot be read in time (the gauges then report nothing). */
  private async read(source: QueueStatsSource): Promise<EndpointQueueStats[] | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), SCRAPE_DEADLINE_MS);
    });
    try {
      return await Promise.race([source(), deadline]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
