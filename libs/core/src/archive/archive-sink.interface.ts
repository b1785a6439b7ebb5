import { matchesAny } from '../handlers/event-pattern.js';
import type { StoredDelivery } from '../durable/stored-delivery.js';

/** How one handler's job for an archived delivery ended (the last run recorded). */
export interface HandlerOutcome {
  /** `queued`: waiting or retrying; `failed`: a run failed and will be retried. */
  readonly state: 'queued' | 'processed' | 'failed' | 'dead-lettered';
  /** Runs so far. */
  readonly attempts: number;
  /** The last error, for `failed` and `dead-lettered`. */
  readonly error?: string | undefined;
  /** When it was recorded, ms since the epoch. */
  readonly at: number;
  /** Set when the run was a replay of the archived delivery. */
  readonly via?: 'replay' | undefined;
}

/**
 * One accepted delivery as an archive keeps it: the stored delivery (raw bytes, the headers its scheme
 * needs without any that carry a secret, the verification facts, the received time), the handlers it
 * was queued for, and how each ended where the sink records it. Plain JSON.
 */
export interface ArchivedDelivery {
  /** The delivery's id in the archive: its event id (else its replay digest), tenant-qualified. */
  readonly deliveryId: string;
  readonly delivery: StoredDelivery;
  /** The handlers it was queued for when it arrived. */
  readonly handlers: readonly string[];
  /** The body was changed by the redaction hook: it can no longer be verified against its signature. */
  readonly redacted: boolean;
  /** By handler name. */
  readonly outcomes: Readonly<Record<string, HandlerOutcome>>;
}

/** Which archived deliveries an operation takes. Times are the received time. */
export interface ArchiveFilter {
  readonly endpoint?: string | undefined;
  /** The archive id or the event id. */
  readonly id?: string | undefined;
  /** Received at or after. */
  readonly since?: Date | undefined;
  /** Received before. */
  readonly until?: Date | undefined;
  /** An event type or pattern (`invoice.paid`, `invoice.*`), matched as handlers match. */
  readonly type?: string | undefined;
}

/** Where the archive is for one delivery: enough to compute its key. */
export type ArchiveRef = Pick<ArchivedDelivery, 'deliveryId'> & {
  readonly delivery: Pick<StoredDelivery, 'endpoint' | 'receivedAt'>;
};

/**
 * Where accepted deliveries are kept for replay (docs/architecture.md, "Archive and replay"). The
 * default is the queue's own retention (`QueueArchive`: job data, nothing written twice); `FsArchiveSink`
 * keeps files; `S3ArchiveSink` (`@verified-webhooks/core/s3`) keeps objects under
 * `endpoint/YYYY/MM/DD/<deliveryId>`.
 */
export interface ArchiveSink {
  /** Keeps one accepted delivery; resolves once it is stored (the sender is answered after). */
  put(entry: ArchivedDelivery): Promise<void>;
  /** Records how one handler's run ended. A sink that reads outcomes from elsewhere ignores it. */
  recordOutcome(ref: ArchiveRef, handler: string, outcome: HandlerOutcome): Promise<void>;
  /** The archived deliveries that pass the filter, in order of arrival, outcomes included. */
  list(filter?: ArchiveFilter): Promise<ArchivedDelivery[]>;
  close?(): Promise<void>;
}

/** The archive id of a delivery: the id the sender is answered with (`{"queued": id}`), tenant first. */
export function archiveIdOf(delivery: Pick<StoredDelivery, 'id' | 'deliveryKey' | 'tenant'>): string {
  const id = delivery.id ?? delivery.deliveryKey.replace(/^.*\{|\}$/g, '');
  return delivery.tenant === undefined ? id : `${delivery.tenant}.${id}`;
}

export function matchesArchiveFilter(entry: ArchivedDelivery, filter: ArchiveFilter = {}): boolean {
  const { delivery } = entry;
  const names = delivery.names.length > 0 ? delivery.names : delivery.type ? [delivery.type] : [];
  return (
    (filter.endpoint === undefined || delivery.endpoint === filter.endpoint) &&
    (filter.id === undefined || entry.deliveryId === filter.id || delivery.id === filter.id) &&
    (filter.since === undefined || delivery.receivedAt >= filter.since.getTime()) &&
    (filter.until === undefined || delivery.receivedAt < filter.until.getTime()) &&
    (filter.type === undefined || matchesAny([filter.type], names))
  );
}

/**
 * The object key of a delivery, as the AWS pattern keeps raw bodies: `endpoint/YYYY/MM/DD/<deliveryId>`
 * (UTC date of arrival; endpoint and id URI-encoded, so neither can add a level).
 */
export function archiveKey(ref: ArchiveRef): string {
  return `${dayPrefix(ref.delivery.endpoint, ref.delivery.receivedAt)}${encodeURIComponent(ref.deliveryId)}`;
}

/** Where the outcomes of a delivery's handlers are kept: one object per handler beside it. */
export function outcomeKey(ref: ArchiveRef, handler: string): string {
  return `${archiveKey(ref)}.outcomes/${encodeURIComponent(handler)}`;
}

/** `endpoint/YYYY/MM/DD/` of a time. */
export function dayPrefix(endpoint: string, at: number): string {
  const day = new Date(at).toISOString().slice(0, 10).replaceAll('-', '/');
  return `${encodeURIComponent(endpoint)}/${day}/`;
}

/** The UTC days from `since` to `until` (both given), as `endpoint/YYYY/MM/DD/` prefixes; undefined past `max`. */
export function dayPrefixes(endpoint: string, since: Date, until: Date, max = 400): string[] | undefined {
  const DAY = 86_400_000;
  const first = Math.floor(since.getTime() / DAY);
  const last = Math.floor((until.getTime() - 1) / DAY);
  if (last - first + 1 > max) return undefined;
  const prefixes: string[] = [];
  for (let day = first; day <= last; day++) prefixes.push(dayPrefix(endpoint, day * DAY));
  return prefixes;
}

/** Oldest first, as they arrived. */
export const byArrival = (a: ArchivedDelivery, b: ArchivedDelivery) =>
  a.delivery.receivedAt - b.delivery.receivedAt || a.deliveryId.localeCompare(b.deliveryId);
