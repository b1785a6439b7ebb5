import { randomUUID } from 'node:crypto';
import { paced } from '../durable/pace.js';
import type { StoredDelivery } from '../durable/stored-delivery.js';
import type { WebhookQueue } from '../durable/webhook-queue.interface.js';
import type { ArchivedDelivery, ArchiveFilter, ArchiveSink } from './archive-sink.interface.js';

export interface ReplayOptions extends ArchiveFilter {
  /** Every delivery the filter selects; without it, `id` must be given (no accidental bulk replay). */
  readonly all?: boolean;
  /** Say what would be replayed; queue nothing. */
  readonly dryRun?: boolean;
  /** At most this many deliveries a second. */
  readonly ratePerSecond?: number | undefined;
  /**
   * New idempotency keys (reprocessing after a fix: the handlers' dedupe must not skip it). Default
   * false: the handlers see the keys of the original run, so they can recognise a delivery they did.
   */
  readonly freshKeys?: boolean;
  /** Only these handlers (default: those the delivery was queued for). */
  readonly handlers?: readonly string[] | undefined;
}

/** One replayed (or, in a dry run, selected) delivery. */
export interface ReplayedDelivery {
  readonly deliveryId: string;
  readonly endpoint: string;
  readonly type: string | undefined;
  readonly receivedAt: Date;
  readonly handlers: readonly string[];
  readonly redacted: boolean;
  /** The replay's id (in its job ids and `StoredDelivery.replayId`); undefined in a dry run. */
  readonly replayId: string | undefined;
}

/**
 * Runs the handlers of archived deliveries again, through the queue's enqueue path (so retries, dead
 * letters and the queue's metrics apply; each replayed delivery has `via: 'replay'`). By default each
 * handler sees the idempotency key of the original run; `freshKeys` gives new ones. A redacted
 * delivery is replayed with its redacted body: it is trusted as archived, never verified again.
 */
export async function replayArchived(
  archive: ArchiveSink,
  queue: WebhookQueue,
  options: ReplayOptions,
  handlersOf?: (entry: ArchivedDelivery) => readonly string[],
): Promise<ReplayedDelivery[]> {
  const selected = await selectForReplay(archive, options);
  const replayed: ReplayedDelivery[] = [];
  const describe = (entry: ArchivedDelivery, handlers: readonly string[], replayId?: string) => ({
    deliveryId: entry.deliveryId,
    endpoint: entry.delivery.endpoint,
    type: entry.delivery.type,
    receivedAt: new Date(entry.delivery.receivedAt),
    handlers,
    redacted: entry.redacted,
    replayId,
  });
  const handlersFor = (entry: ArchivedDelivery) => {
    const all = handlersOf?.(entry) ?? entry.handlers;
    return options.handlers ? all.filter((handler) => options.handlers!.includes(handler)) : all;
  };
  if (options.dryRun) return selected.map((entry) => describe(entry, handlersFor(entry)));
  const start = performance.now();
  await paced(selected, options.ratePerSecond, async (entry) => {
    const replayId = randomUUID();
    const handlers = handlersFor(entry);
    await queue.enqueue(replayOf(entry.delivery, replayId, options.freshKeys ?? false), handlers);
    replayed.push(describe(entry, handlers, replayId));
  });
  await holdLastSlot(start, selected.length, options.ratePerSecond);
  return replayed;
}

/**
 * Waits out the last delivery's share of the rate: `count` deliveries at N a second take count/N
 * seconds, so two replays run one after the other stay within N a second together. `start` is a
 * `performance.now()`; a timer may fire a little early, so it waits again until the time is reached.
 */
export async function holdLastSlot(start: number, count: number, ratePerSecond: number | undefined) {
  if (!ratePerSecond || ratePerSecond <= 0 || count === 0) return;
  const end = start + (count * 1_000) / ratePerSecond;
  for (let wait = end - performance.now(); wait > 0; wait = end - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
  }
}

/** The archived deliveries an operation takes: one by id, or many with `all`. */
export async function selectForReplay(
  archive: ArchiveSink,
  options: ArchiveFilter & { readonly all?: boolean },
): Promise<ArchivedDelivery[]> {
  if (options.id === undefined && !options.all) {
    throw new Error('Name a delivery (id) or ask for every one the filter selects (all).');
  }
  return archive.list(options);
}

/** The delivery as a replay queues it: same delivery key unless fresh keys are asked for. */
export function replayOf(delivery: StoredDelivery, replayId: string, freshKeys: boolean): StoredDelivery {
  return {
    ...delivery,
    via: 'replay',
    replayId,
    // The handlers' idempotency keys derive from the delivery key (docs/architecture.md, "Event
    // handlers"). Prefixed, so the `{…}` hash tag (and the archive id read from it) stays as it was.
    deliveryKey: freshKeys ? `replay-${replayId}:${delivery.deliveryKey}` : delivery.deliveryKey,
  };
}
