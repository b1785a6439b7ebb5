import { createHash } from 'node:crypto';
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
  readonly delivery: Pick<StoredDelivery, 'endpoint' | 'receivedAt' | 'tenant'>;
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

/** Longest key segment: a file name (255 bytes) with room for `.outcomes` and a temporary suffix. */
const MAX_SEGMENT = 160;

/**
 * One safe segment of a key or path: URI-encoded, `~` escaped (it marks a shortened segment), and
 * `.`/`..` escaped so no segment names a folder above; `dots` escapes every `.` (the delivery name,
 * where `.` separates tenant and id, and where `.outcomes` must never be a suffix). A segment longer
 * than 160 characters is cut and ends with `~` and a SHA-256 of the full value (kept in the JSON).
 */
export function keySegment(value: string, { dots = false }: { readonly dots?: boolean } = {}): string {
  let encoded = encodeURIComponent(value).replaceAll('~', '%7E');
  if (dots || encoded === '.' || encoded === '..') encoded = encoded.replaceAll('.', '%2E');
  // An empty value is `~` alone: never a plain segment (`~` is escaped there), never a shortened one.
  return encoded === '' ? '~' : capped(encoded, value);
}

function capped(encoded: string, value: string): string {
  if (encoded.length <= MAX_SEGMENT) return encoded;
  const cut = encoded.slice(0, 100).replace(/%[0-9A-F]?$/, '');
  return `${cut}~${createHash('sha256').update(value).digest('base64url')}`;
}

/** A file or key name the delivery name or handler segment may be shortened in: only the JSON tells. */
export const isShortened = (name: string): boolean => name.includes('~');

/**
 * The object key of a delivery, as the AWS pattern keeps raw bodies: `endpoint/YYYY/MM/DD/<deliveryId>`
 * (UTC date of arrival; every segment made safe by `keySegment`, so none can add or climb a level). On
 * a tenant route the name is `<tenant>.<id>`, each part with its dots escaped, so tenants never collide.
 */
export function archiveKey(ref: ArchiveRef): string {
  const { tenant } = ref.delivery;
  const id = ref.deliveryId;
  const name =
    tenant !== undefined && id.startsWith(`${tenant}.`)
      ? capped(
          `${keySegment(tenant, { dots: true })}.${keySegment(id.slice(tenant.length + 1), { dots: true })}`,
          `${tenant}\u0000${id}`,
        )
      : keySegment(id, { dots: true });
  return `${dayPrefix(ref.delivery.endpoint, ref.delivery.receivedAt)}${name}`;
}

/** Where the outcomes of a delivery's handlers are kept: one object per handler beside it. */
export function outcomeKey(ref: ArchiveRef, handler: string): string {
  return `${archiveKey(ref)}.outcomes/${keySegment(handler)}`;
}

/** `endpoint/YYYY/MM/DD/` of a time. */
export function dayPrefix(endpoint: string, at: number): string {
  return daySegmentPrefix(keySegment(endpoint), at);
}

/** `<endpoint segment>/YYYY/MM/DD/` of a time, the endpoint already a key segment. */
export function daySegmentPrefix(segment: string, at: number): string {
  const day = new Date(at).toISOString().slice(0, 10).replaceAll('-', '/');
  return `${segment}/${day}/`;
}

/**
 * The UTC days from `since` to `until` (both given), as `<segment>/YYYY/MM/DD/` prefixes of an endpoint
 * segment (`keySegment(endpoint)`, or one listed from the store); undefined past `max`.
 */
export function dayPrefixes(segment: string, since: Date, until: Date, max = 400): string[] | undefined {
  const DAY = 86_400_000;
  const first = Math.floor(since.getTime() / DAY);
  const last = Math.floor((until.getTime() - 1) / DAY);
  if (last - first + 1 > max) return undefined;
  const prefixes: string[] = [];
  for (let day = first; day <= last; day++) prefixes.push(daySegmentPrefix(segment, day * DAY));
  return prefixes;
}

/** Oldest first, as they arrived. */
export const byArrival = (a: ArchivedDelivery, b: ArchivedDelivery) =>
  a.delivery.receivedAt - b.delivery.receivedAt || a.deliveryId.localeCompare(b.deliveryId);
