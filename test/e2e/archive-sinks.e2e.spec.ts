import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveSink, WebhookJob } from '@verified-webhooks/core';
import {
  archiveEntry,
  FsArchiveSink,
  idempotencyKey,
  replayArchived,
  standardWebhooks,
  storeDelivery,
} from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import { S3ArchiveSink } from '@verified-webhooks/core/s3';
import { verifiedEvent } from '@verified-webhooks/core/testing';
import { inject } from 'vitest';
import { secretOf } from '../support/deliveries.js';
import { s3Bucket } from '../support/s3-server.js';

const SECRET = secretOf(72);
/** 2026-02-03T04:05:06Z and the next day. */
const FEB_3 = Date.UTC(2026, 1, 3, 4, 5, 6);
const FEB_4 = FEB_3 + 24 * 60 * 60_000;

async function archived(id: string, receivedAt: number, tenant?: string, endpoint = 'billing') {
  const body = JSON.stringify({ type: 'invoice.paid', data: { id } });
  const headers = standardWebhooks().sign({ secret: SECRET, body, id, timestamp: new Date() });
  const event = await verifiedEvent(standardWebhooks(), {
    secret: SECRET,
    id,
    endpoint,
    body,
    ...(tenant ? { tenant } : {}),
  });
  return archiveEntry(storeDelivery(event, ['invoice.paid'], headers, receivedAt), ['ledger', 'email']);
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

interface SinkSetup {
  readonly sink: ArchiveSink;
  /** Every key the sink wrote, as the documented layout names them. */
  readonly keys: () => Promise<string[]>;
  readonly cleanup: () => void;
}

const sinks: [string, string, () => Promise<SinkSetup>][] = [
  [
    'FsArchiveSink',
    '',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'vw-sink-'));
      return Promise.resolve({
        sink: new FsArchiveSink({ directory, retentionMs: 10 * 365 * 24 * 60 * 60_000 }),
        keys: () => Promise.resolve(filesUnder(directory).map((file) => relative(directory, file))),
        cleanup: () => rmSync(directory, { recursive: true, force: true }),
      });
    },
  ],
  [
    'S3ArchiveSink on s3rver',
    'webhooks/',
    async () => {
      const bucket = `vw-sink-${randomUUID().slice(0, 8)}`;
      const client: S3Client = await s3Bucket(inject('s3Endpoint'), bucket);
      const keys = async () =>
        ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map(
          (object) => object.Key!,
        );
      return {
        sink: await S3ArchiveSink.create({ bucket, prefix: 'webhooks', client }),
        keys,
        cleanup: () => client.destroy(),
      };
    },
  ],
];

describe.each(sinks)('%s', (_name, prefix, makeSink) => {
  let setup: SinkSetup;
  beforeAll(async () => {
    setup = await makeSink();
  });
  afterAll(() => setup.cleanup());

  it('keeps each delivery at endpoint/YYYY/MM/DD/<deliveryId> and each outcome beside it', async () => {
    const first = await archived('msg_1', FEB_3);
    const slashed = await archived('evt/2', FEB_4);
    const tenanted = await archived('msg_3', FEB_4, 'acme');
    for (const entry of [first, slashed, tenanted]) await setup.sink.put(entry);
    await setup.sink.recordOutcome(first, 'ledger', { state: 'processed', attempts: 1, at: FEB_3 + 10 });
    await setup.sink.recordOutcome(first, 'email', {
      state: 'dead-lettered',
      attempts: 5,
      error: 'smtp down',
      at: FEB_3 + 20,
    });

    expect((await setup.keys()).sort()).toEqual(
      [
        'billing/2026/02/03/msg_1',
        'billing/2026/02/03/msg_1.outcomes/email',
        'billing/2026/02/03/msg_1.outcomes/ledger',
        'billing/2026/02/04/acme.msg_3',
        'billing/2026/02/04/evt%2F2',
      ].map((key) => prefix + key),
    );

    const [listed] = await setup.sink.list({ id: 'msg_1' });
    expect(listed).toMatchObject({ deliveryId: 'msg_1', handlers: ['ledger', 'email'], redacted: false });
    expect(listed!.delivery.body).toBe(first.delivery.body);
    expect(listed!.outcomes).toEqual({
      ledger: { state: 'processed', attempts: 1, at: FEB_3 + 10 },
      email: { state: 'dead-lettered', attempts: 5, error: 'smtp down', at: FEB_3 + 20 },
    });
    expect((await setup.sink.list({ id: 'evt/2' })).map((entry) => entry.deliveryId)).toEqual(['evt/2']);
    expect((await setup.sink.list({ id: 'msg_3' })).map((entry) => entry.deliveryId)).toEqual(['acme.msg_3']);
    const ids = async (filter: Parameters<ArchiveSink['list']>[0]) =>
      (await setup.sink.list(filter)).map((entry) => entry.deliveryId);
    expect(await ids({})).toEqual(['msg_1', 'acme.msg_3', 'evt/2']);
    expect(await ids({ since: new Date(FEB_4) })).toEqual(['acme.msg_3', 'evt/2']);
    expect(await ids({ since: new Date(FEB_3), until: new Date(FEB_4) })).toEqual(['msg_1']);
    expect(await ids({ endpoint: 'other' })).toEqual([]);
  });

  it('replays from the sink through a BullMQ queue on a real redis-server, with the original keys', async () => {
    const entry = await archived(`msg_${randomUUID()}`, Date.now());
    await setup.sink.put(entry);
    const queue = await BullmqWebhookQueue.fromUrl(inject('redisUrl'), {
      prefix: `{vw-sink-${randomUUID().slice(0, 8)}}`,
    });
    const jobs: WebhookJob[] = [];
    await queue.process(
      'billing',
      (job) => {
        jobs.push(job);
        return Promise.resolve();
      },
      { concurrency: 2 },
    );
    try {
      const [email] = await replayArchived(setup.sink, queue, { id: entry.deliveryId, handlers: ['email'] });
      expect(email!.handlers).toEqual(['email']);
      await vi.waitFor(() => expect(jobs.map((job) => job.handler)).toEqual(['email']), { timeout: 10_000 });
      jobs.length = 0;
      const [replayed] = await replayArchived(setup.sink, queue, { id: entry.deliveryId });
      expect(replayed).toMatchObject({ deliveryId: entry.deliveryId, handlers: ['ledger', 'email'] });
      await vi.waitFor(() => expect(jobs).toHaveLength(2), { timeout: 10_000 });
      for (const job of jobs) {
        expect(job.delivery).toMatchObject({ via: 'replay', replayId: replayed!.replayId });
        expect(job.delivery.deliveryKey).toBe(entry.delivery.deliveryKey);
        expect(job.delivery.body).toBe(entry.delivery.body);
        expect(job.id.startsWith(idempotencyKey(entry.delivery.deliveryKey, job.handler))).toBe(true);
      }
    } finally {
      await queue.close();
    }
  });

  it('makes every path segment safe: ".", "..", long ids and handlers, tenants that could collide', async () => {
    const at = FEB_3 + 30 * 24 * 60 * 60_000; // 2026-03-05
    const long = `evt_${'x'.repeat(400)}`;
    const handler = `Handlers.${'h'.repeat(300)}`;
    const entries = [
      await archived('.', at, undefined, 'hostile'),
      await archived('..', at, undefined, 'hostile'),
      await archived(long, at, undefined, 'hostile'),
      await archived('b.c', at, 'a', 'hostile'),
      await archived('c', at, 'a.b', 'hostile'),
      await archived('x.outcomes', at, undefined, 'hostile'),
    ];
    for (const entry of entries) await setup.sink.put(entry);
    await setup.sink.recordOutcome(entries[2]!, handler, { state: 'processed', attempts: 1, at });
    await setup.sink.recordOutcome(entries[0]!, 'ledger', { state: 'processed', attempts: 1, at });

    const keys = (await setup.keys()).filter((key) => key.startsWith(`${prefix}hostile/`)).sort();
    const day = `${prefix}hostile/2026/03/05/`;
    const shortened = keys.filter((key) => key.includes('~'));
    expect(keys.filter((key) => !key.includes('~'))).toEqual(
      ['%2E', '%2E%2E', '%2E.outcomes/ledger', 'a%2Eb.c', 'a.b%2Ec', 'x%2Eoutcomes'].map((key) => day + key),
    );
    // The long id and handler: cut, with a digest of the full value; every segment fits a file name.
    expect(shortened).toHaveLength(2);
    for (const key of keys)
      for (const segment of key.split('/')) expect(segment.length).toBeLessThanOrEqual(160 + 9);

    const listed = await setup.sink.list({ endpoint: 'hostile' });
    expect(listed.map((entry) => entry.deliveryId).sort()).toEqual(
      ['.', '..', 'a.b.c', 'a.b.c', long, 'x.outcomes'].sort(),
    );
    expect(listed.map((entry) => entry.delivery.tenant ?? '-').sort()).toEqual(
      ['-', '-', '-', '-', 'a', 'a.b'].sort(),
    );
    const [longEntry] = await setup.sink.list({ endpoint: 'hostile', id: long });
    expect(longEntry!.outcomes).toEqual({ [handler]: { state: 'processed', attempts: 1, at } });
    expect((await setup.sink.list({ id: '.' }))[0]!.outcomes).toEqual({
      ledger: { state: 'processed', attempts: 1, at },
    });
    // An endpoint named ".." lists nothing (not the folder above the archive).
    expect(await setup.sink.list({ endpoint: '..' })).toEqual([]);
    expect(await setup.sink.list({ endpoint: '.' })).toEqual([]);
  });
});
