/** One endpoint's queue at a moment: what waits, runs, retries later, and has failed for good. */
export interface EndpointQueueStats {
  readonly endpoint: string;
  /** Paused: deliveries are still accepted and queued, none is processed until resumed. */
  readonly paused: boolean;
  /** Queued and not running yet (held back while paused). */
  readonly waiting: number;
  /** Running in a worker. */
  readonly active: number;
  /** Failed and waiting for their retry's backoff. */
  readonly delayed: number;
  readonly deadLetters: number;
  /** When the oldest waiting job was queued (ms since the epoch); undefined when none waits. */
  readonly oldestWaitingAt: number | undefined;
}

/**
 * What operators do with a queue: pause and resume an endpoint, and read its state. Pause is the
 * backend's: with BullMQ it is kept in Redis, so it holds across restarts and for every worker
 * process; the in-process queue keeps it in memory.
 */
export interface QueueControl {
  /**
   * Stops processing `endpoint`'s jobs: deliveries are still verified, acknowledged and queued.
   * Jobs already running finish; retries that fall due wait too.
   */
  pause(endpoint: string): Promise<void>;
  /** Processes `endpoint`'s jobs again, the held ones in order of arrival. */
  resume(endpoint: string): Promise<void>;
  isPaused(endpoint: string): Promise<boolean>;
  /** The state of these endpoints' queues (default: every endpoint the queue knows). */
  stats(endpoints?: readonly string[]): Promise<EndpointQueueStats[]>;
}
