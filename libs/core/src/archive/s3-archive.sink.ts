import type { S3Client } from '@aws-sdk/client-s3';
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
  dayPrefixes,
  isShortened,
  keySegment,
  matchesArchiveFilter,
  outcomeKey,
} from './archive-sink.interface.js';

export interface S3ArchiveSinkOptions {
  readonly bucket: string;
  /** Put before every key, e.g. `webhooks/` (a trailing slash is added when missing). Default none. */
  readonly prefix?: string;
  /** Your client (its region, credentials, endpoint). Default: one from the SDK's default chain. */
  readonly client?: S3Client;
  /**
   * Deliveries older than this are not listed. Deleting them is the bucket's lifecycle rule's job (an
   * expiration on the prefix: see the README), as the AWS pattern does. Default: everything listed.
   */
  readonly retentionMs?: number;
}

type S3 = typeof import('@aws-sdk/client-s3');

/**
 * The AWS pattern's raw archive, through `@aws-sdk/client-s3` (an optional peer, loaded when the sink
 * is made): each accepted delivery is one JSON object at `[prefix]endpoint/YYYY/MM/DD/<deliveryId>`,
 * each handler's outcome one object at `<that key>.outcomes/<handler>` (a write per outcome, never a
 * read-modify-write of the delivery, so workers cannot overwrite each other's).
 */
export class S3ArchiveSink implements ArchiveSink {
  private constructor(
    private readonly s3: S3,
    private readonly client: S3Client,
    private readonly ownsClient: boolean,
    private readonly options: S3ArchiveSinkOptions,
    private readonly prefix: string,
  ) {}

  static async create(options: S3ArchiveSinkOptions): Promise<S3ArchiveSink> {
    const s3 = await import('@aws-sdk/client-s3');
    const prefix = !options.prefix
      ? ''
      : options.prefix.endsWith('/')
        ? options.prefix
        : `${options.prefix}/`;
    const client = options.client ?? new s3.S3Client({});
    return new S3ArchiveSink(s3, client, !options.client, options, prefix);
  }

  async put(entry: ArchivedDelivery): Promise<void> {
    await this.client.send(
      new this.s3.PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.prefix + archiveKey(entry),
        Body: JSON.stringify({ ...entry, outcomes: {} }),
        ContentType: 'application/json',
      }),
    );
  }

  async recordOutcome(ref: ArchiveRef, handler: string, outcome: HandlerOutcome): Promise<void> {
    await this.client.send(
      new this.s3.PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.prefix + outcomeKey(ref, handler),
        Body: JSON.stringify({ ...outcome, handler }),
        ContentType: 'application/json',
      }),
    );
  }

  async list(filter: ArchiveFilter = {}): Promise<ArchivedDelivery[]> {
    const cutoff = this.options.retentionMs === undefined ? undefined : Date.now() - this.options.retentionMs;
    const since = filter.since ?? (cutoff === undefined ? undefined : new Date(cutoff));
    const endpoints = filter.endpoint === undefined ? await this.endpoints() : [keySegment(filter.endpoint)];
    const found: ArchivedDelivery[] = [];
    for (const endpoint of endpoints) {
      const prefixes = (since &&
        dayPrefixes(endpoint, since, filter.until ?? new Date(Date.now() + 86_400_000))) ?? [`${endpoint}/`];
      for (const prefix of prefixes) {
        const keys = await this.keys(this.prefix + prefix);
        const outcomes = new Map<string, string[]>();
        const deliveries: string[] = [];
        for (const key of keys) {
          const marker = key.indexOf('.outcomes/');
          if (marker === -1) deliveries.push(key);
          else outcomes.set(key.slice(0, marker), [...(outcomes.get(key.slice(0, marker)) ?? []), key]);
        }
        for (const key of deliveries) {
          if (filter.id !== undefined && !this.mayBe(key, filter.id)) continue;
          const entry = JSON.parse(await this.text(key)) as ArchivedDelivery;
          if (cutoff !== undefined && entry.delivery.receivedAt < cutoff) continue;
          if (!matchesArchiveFilter(entry, filter)) continue;
          const byHandler: Record<string, HandlerOutcome> = {};
          for (const outcome of outcomes.get(key) ?? []) {
            const { handler, ...recorded } = JSON.parse(await this.text(outcome)) as HandlerOutcome & {
              handler?: string;
            };
            byHandler[handler ?? decodeURIComponent(outcome.slice(outcome.lastIndexOf('/') + 1))] = recorded;
          }
          found.push({ ...entry, outcomes: byHandler });
        }
      }
    }
    return found.sort(byArrival);
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
    return Promise.resolve();
  }

  /** A key's last part is the archive id; an event id alone can match a tenant-qualified one. */
  private mayBe(key: string, id: string): boolean {
    const last = key.slice(key.lastIndexOf('/') + 1);
    if (isShortened(last)) return true;
    const name = decodeURIComponent(last);
    return name === id || name.endsWith(`.${id}`);
  }

  /**
   * The endpoints (first level below the prefix), URI-encoded as in the keys: one key listed per
   * endpoint, each listing starting after the last one's keys (no delimiter listing needed).
   */
  private async endpoints(): Promise<string[]> {
    const found: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new this.s3.ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.prefix,
          MaxKeys: 1,
          ...(after === undefined ? {} : { StartAfter: after }),
        }),
      );
      const key = page.Contents?.[0]?.Key;
      if (!key) return found;
      const endpoint = key.slice(this.prefix.length).split('/')[0]!;
      found.push(endpoint);
      // Every key of an endpoint goes on with its year's digits: `endpoint/~` sorts after all of them.
      after = `${this.prefix}${endpoint}/~`;
    }
  }

  private async keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new this.s3.ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private async text(key: string): Promise<string> {
    const object = await this.client.send(
      new this.s3.GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
    );
    if (!object.Body) throw new Error(`S3 object ${key} has no body.`);
    return object.Body.transformToString('utf8');
  }
}
