import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type {
  ArchivedDelivery,
  ArchiveFilter,
  ArchiveRef,
  ArchiveSink,
  HandlerOutcome,
} from './archive-sink.interface.js';
import {
  archiveKey,
  byArrival,
  isShortened,
  keySegment,
  matchesArchiveFilter,
  outcomeKey,
} from './archive-sink.interface.js';

export interface FsArchiveSinkOptions {
  /** The folder; deliveries are kept as `endpoint/YYYY/MM/DD/<deliveryId>` (JSON) below it. */
  readonly directory: string;
  /** How long deliveries are kept; older days are deleted (at most once an hour, on a write). Default 30 days. */
  readonly retentionMs?: number;
}

const DAY_MS = 24 * 60 * 60_000;
const OUTCOMES = '.outcomes';

/**
 * The embedded archive: one JSON file per delivery under the same keys as the S3 sink, each handler's
 * outcome in a file beside it (`<deliveryId>.outcomes/<handler>`), every file written whole (a temporary
 * file renamed), so a reader never sees half of one. One machine's disk: for development, a single
 * instance, or a volume every instance mounts.
 */
export class FsArchiveSink implements ArchiveSink {
  readonly directory: string;
  private readonly retentionMs: number;
  private sweptAt = 0;

  constructor(options: FsArchiveSinkOptions) {
    this.directory = options.directory;
    this.retentionMs = options.retentionMs ?? 30 * DAY_MS;
  }

  async put(entry: ArchivedDelivery): Promise<void> {
    await this.write(archiveKey(entry), JSON.stringify({ ...entry, outcomes: {} }));
    if (Date.now() - this.sweptAt > 60 * 60_000) {
      this.sweptAt = Date.now();
      await this.sweep().catch(() => undefined);
    }
  }

  recordOutcome(ref: ArchiveRef, handler: string, outcome: HandlerOutcome): Promise<void> {
    return this.write(outcomeKey(ref, handler), JSON.stringify({ ...outcome, handler }));
  }

  async list(filter: ArchiveFilter = {}): Promise<ArchivedDelivery[]> {
    const cutoff = Date.now() - this.retentionMs;
    const endpoints =
      filter.endpoint === undefined ? await this.names(this.directory) : [keySegment(filter.endpoint)];
    const found: ArchivedDelivery[] = [];
    for (const endpoint of endpoints) {
      for (const day of await this.days(join(this.directory, endpoint), filter)) {
        for (const name of await this.names(day)) {
          if (name.endsWith(OUTCOMES) || name.endsWith('.tmp')) continue;
          if (filter.id !== undefined && !mayBe(name, filter.id)) continue;
          const entry = await this.read(join(day, name));
          if (!entry || entry.delivery.receivedAt < cutoff || !matchesArchiveFilter(entry, filter)) continue;
          found.push({ ...entry, outcomes: await this.outcomes(join(day, name + OUTCOMES)) });
        }
      }
    }
    return found.sort(byArrival);
  }

  /** Deletes the days older than the retention. */
  async sweep(now = Date.now()): Promise<void> {
    const cutoff = new Date(now - this.retentionMs).toISOString().slice(0, 10).replaceAll('-', '/');
    for (const endpoint of await this.names(this.directory)) {
      for (const day of await this.days(join(this.directory, endpoint), {})) {
        const date = day.split('/').slice(-3).join('/');
        if (date < cutoff) await rm(day, { recursive: true, force: true });
      }
    }
  }

  /** The day folders of one endpoint within the filter's range (by day, both ends included). */
  private async days(root: string, filter: ArchiveFilter): Promise<string[]> {
    const from = filter.since?.toISOString().slice(0, 10) ?? '';
    const to = filter.until?.toISOString().slice(0, 10) ?? '9999';
    const days: string[] = [];
    for (const year of await this.names(root)) {
      for (const month of await this.names(join(root, year))) {
        for (const day of await this.names(join(root, year, month))) {
          const date = `${year}-${month}-${day}`;
          if (date >= from && date <= to) days.push(join(root, year, month, day));
        }
      }
    }
    return days;
  }

  private async outcomes(folder: string): Promise<Record<string, HandlerOutcome>> {
    const outcomes: Record<string, HandlerOutcome> = {};
    for (const name of await this.names(folder)) {
      if (name.endsWith('.tmp')) continue;
      const text = await readFile(join(folder, name), 'utf8').catch(() => undefined);
      if (text !== undefined) {
        const { handler, ...outcome } = JSON.parse(text) as HandlerOutcome & { handler?: string };
        outcomes[handler ?? decodeURIComponent(name)] = outcome;
      }
    }
    return outcomes;
  }

  private async read(file: string): Promise<ArchivedDelivery | undefined> {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as ArchivedDelivery);
  }

  private async names(folder: string): Promise<string[]> {
    return (await readdir(folder).catch(() => [])).sort();
  }

  private async write(key: string, text: string): Promise<void> {
    const file = join(this.directory, ...key.split('/'));
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, file);
  }
}

/** A file's name is the archive id; an event id alone can match a tenant-qualified one. */
function mayBe(name: string, id: string): boolean {
  if (isShortened(name)) return true;
  const decoded = decodeURIComponent(name);
  return decoded === id || decoded.endsWith(`.${id}`);
}
