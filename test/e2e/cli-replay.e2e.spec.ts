import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebhookJob } from '@verified-webhooks/core';
import {
  archiveEntry,
  FsArchiveSink,
  idempotencyKey,
  standardWebhooks,
  storeDelivery,
} from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import { S3ArchiveSink } from '@verified-webhooks/core/s3';
import { verifiedEvent } from '@verified-webhooks/core/testing';
import { inject } from 'vitest';
import { runCli } from '../../libs/core/src/cli/cli.js';
import { secretOf, standardDelivery } from '../support/deliveries.js';
import { RedisServer } from '../support/redis-server.js';
import { s3Bucket, S3_CREDENTIALS } from '../support/s3-server.js';
import { SampleProcess } from '../support/sample-process.js';

/** The sample's development secret for its standard-webhooks routes (given, so the test can sign). */
const SAMPLE_SECRET = secretOf(73);

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

interface SampleEvent {
  readonly endpoint: string;
  readonly id: string | undefined;
  readonly via: string;
}

describe('verified-webhooks replay against a running sample app (real redis-server)', () => {
  let redis: RedisServer;
  let sample: SampleProcess;
  const events = async (): Promise<SampleEvent[]> =>
    (await (await fetch(`${sample.url}/events`)).json()) as SampleEvent[];

  beforeAll(async () => {
    redis = await RedisServer.start();
    sample = await SampleProcess.start({ REDIS_URL: redis.url, STANDARD_WEBHOOK_SECRET: SAMPLE_SECRET });
  });
  afterAll(async () => {
    await sample.stop();
    await redis.dispose();
  });

  it('replays an archived delivery by id into the queue, and --to re-signs it for a local app', async () => {
    const delivery = standardDelivery(SAMPLE_SECRET);
    const answer = await fetch(`${sample.url}/webhooks/queued/standard`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(answer.status).toBe(202);
    const of = async () => (await events()).filter((event) => event.id === delivery.id);
    await vi.waitFor(async () => expect(await of()).toHaveLength(1), { timeout: 10_000 });

    const dry = await cli('replay', '--redis', redis.url, '--id', delivery.id, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out.at(-1)).toBe('1 delivery(ies) replayed (dry run: nothing done)');
    expect(dry.out[0]).toContain(
      `queued-standard  ${delivery.id}  invoice.paid  handlers QueuedHandlers.record`,
    );

    const replayed = await cli('replay', '--redis', redis.url, '--id', delivery.id);
    expect(replayed).toMatchObject({ code: 0, err: [] });
    expect(replayed.out.at(-1)).toBe('1 delivery(ies) replayed');
    expect(replayed.out[0]).toMatch(/ {2}replay [0-9a-f-]{36}$/);
    await vi.waitFor(async () => expect(await of()).toHaveLength(2), { timeout: 10_000 });
    expect((await of()).map((event) => [event.endpoint, event.via])).toEqual([
      ['queued-standard', 'queue'],
      ['queued-standard', 'queue'],
    ]);

    // The sample's inline route, as a developer's local app: signed anew with the development secret.
    const to = `${sample.url}/webhooks/standard`;
    const posted = await cli(
      'replay',
      '--redis',
      redis.url,
      '--id',
      delivery.id,
      '--to',
      to,
      '--secret',
      SAMPLE_SECRET,
    );
    expect(posted).toMatchObject({ code: 0, err: [] });
    expect(posted.out[0]).toMatch(new RegExp(`^${delivery.id}: 200 `));
    expect(posted.out.at(-1)).toBe(`1 delivery(ies) posted to ${to}`);
    await vi.waitFor(async () => expect(await of()).toHaveLength(3), { timeout: 10_000 });
    expect((await of()).at(-1)).toMatchObject({ endpoint: 'standard', via: 'inline' });

    // Another secret than the app's: the app refuses the delivery, as it should.
    const wrong = await cli(
      'replay',
      '--redis',
      redis.url,
      '--id',
      delivery.id,
      '--to',
      to,
      '--secret',
      secretOf(9),
    );
    expect(wrong.out[0]).toMatch(new RegExp(`^${delivery.id}: 401 `));

    // The development secret from an environment variable: not on the command line.
    process.env.VW_TEST_REPLAY_SECRET = SAMPLE_SECRET;
    try {
      const fromEnv = await cli(
        'replay',
        '--redis',
        redis.url,
        '--id',
        delivery.id,
        '--to',
        to,
        '--secret-env',
        'VW_TEST_REPLAY_SECRET',
      );
      expect(fromEnv).toMatchObject({ code: 0, err: [] });
      expect(fromEnv.out[0]).toMatch(new RegExp(`^${delivery.id}: 200 `));
    } finally {
      delete process.env.VW_TEST_REPLAY_SECRET;
    }
  });

  it.each([
    [
      ['--id', 'x', '--to', 'http://127.0.0.1:9/webhooks'],
      'replay --to needs --secret <development secret> or --secret-env <NAME>: each body is signed anew with it.',
    ],
    [
      [
        '--id',
        'x',
        '--archive',
        '/tmp/a',
        '--to',
        'http://127.0.0.1:9/',
        '--secret-env',
        'VW_TEST_UNSET_SECRET',
      ],
      '--secret-env names VW_TEST_UNSET_SECRET, which is not set in the environment.',
    ],
    [
      ['--id', 'x', '--to', 'http://127.0.0.1:9/', '--secret', 's', '--secret-env', 'VW_TEST_UNSET_SECRET'],
      'Give --secret or --secret-env, not both.',
    ],
    [
      ['--id', 'x', '--redis', 'localhost:6379'],
      '--redis takes a redis:// or rediss:// URL, got "localhost:6379".',
    ],
    [['--id', 'x', '--redis', 'redis://'], '--redis names no host: give redis://host:port.'],
    [['--id', 'x', '--all'], 'replay needs exactly one of --id <id> or --all.'],
    [
      ['--all'],
      "replay needs --redis <url>: the deployment's Redis, with its credentials (redis://user:password@host:6379); there is no default.",
    ],
    [['--id', 'x', '--redis', 'redis://127.0.0.1:1', '--rate', '0'], '--rate must be a number > 0.'],
    [
      ['--id', 'x', '--redis', 'redis://127.0.0.1:1', '--secret', 's'],
      '--secret, --secret-env and --scheme are for replay --to <url> only.',
    ],
    [
      ['--id', 'x', '--redis', 'redis://127.0.0.1:1', '--to', 'localhost:3000', '--secret', 's'],
      '--to takes an http(s) URL, got "localhost:3000".',
    ],
    [
      ['--id', 'x', '--redis', 'redis://127.0.0.1:1', '--since', 'yesterday'],
      '--since is not a date: yesterday',
    ],
    [
      [
        '--id',
        'x',
        '--archive',
        '/tmp/a',
        '--to',
        'http://127.0.0.1:9/',
        '--secret',
        's',
        '--scheme',
        'nope',
      ],
      '--scheme is "nope", which is not a preset; name one with --scheme <preset>.',
    ],
    [
      [
        '--id',
        'x',
        '--archive',
        '/tmp/a',
        '--to',
        'http://127.0.0.1:9/',
        '--secret',
        'short',
        '--scheme',
        'standard-webhooks',
      ],
      /^--secret is not a standard-webhooks secret: /,
    ],
  ] as const)('a mistake in %j is one line on stderr and exit 2', async (args, message) => {
    const result = await cli('replay', ...args);
    expect(result.code).toBe(2);
    expect(result.out).toEqual([]);
    expect(result.err).toHaveLength(1);
    const line = result.err[0]!.replace(/^verified-webhooks: /, '').replace(
      / \(verified-webhooks --help for usage\)$/,
      '',
    );
    if (typeof message === 'string') expect(line).toBe(message);
    else expect(line).toMatch(message);
  });
});

describe('verified-webhooks replay from a folder and from S3 (s3rver), into BullMQ', () => {
  const SECRET = secretOf(74);
  let queue: BullmqWebhookQueue;
  let prefix: string;
  const jobs: WebhookJob[] = [];

  beforeAll(async () => {
    prefix = `{vw-cli-replay-${randomUUID().slice(0, 8)}}`;
    queue = await BullmqWebhookQueue.fromUrl(inject('redisUrl'), { prefix });
    await queue.process(
      'billing',
      (job) => {
        jobs.push(job);
        return Promise.resolve();
      },
      { concurrency: 2 },
    );
  });
  afterAll(() => queue.close());

  async function entry(id: string) {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id } });
    const event = await verifiedEvent(standardWebhooks(), { secret: SECRET, id, endpoint: 'billing', body });
    return archiveEntry(storeDelivery(event, ['invoice.paid'], {}, Date.now()), ['ledger']);
  }

  it('--archive <folder>: lists in a dry run, replays with fresh keys on --fresh-keys', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'vw-cli-archive-'));
    try {
      const archived = await entry(`msg_${randomUUID()}`);
      await new FsArchiveSink({ directory }).put(archived);
      const common = ['replay', '--redis', inject('redisUrl'), '--prefix', prefix, '--archive', directory];
      const dry = await cli(...common, '--all', '--endpoint', 'billing', '--dry-run');
      expect(dry.out).toHaveLength(2);
      expect(dry.out.at(-1)).toBe('1 delivery(ies) replayed (dry run: nothing done)');

      const fresh = await cli(...common, '--id', archived.deliveryId, '--fresh-keys');
      expect(fresh.out.at(-1)).toBe('1 delivery(ies) replayed');
      await vi.waitFor(
        () => expect(jobs.filter((job) => job.delivery.id === archived.deliveryId)).toHaveLength(1),
        {
          timeout: 10_000,
        },
      );
      const [job] = jobs.filter((candidate) => candidate.delivery.id === archived.deliveryId);
      expect(job!.delivery.deliveryKey).not.toBe(archived.delivery.deliveryKey);
      expect(job!.id.startsWith(idempotencyKey(archived.delivery.deliveryKey, 'ledger'))).toBe(false);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('--archive s3://bucket/prefix with --s3-endpoint: replays from S3 with the original keys', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', S3_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3_CREDENTIALS.secretAccessKey);
    const bucket = `vw-cli-${randomUUID().slice(0, 8)}`;
    const client = await s3Bucket(inject('s3Endpoint'), bucket);
    try {
      const archived = await entry(`msg_${randomUUID()}`);
      await (await S3ArchiveSink.create({ bucket, prefix: 'hooks', client })).put(archived);
      const result = await cli(
        'replay',
        '--redis',
        inject('redisUrl'),
        '--prefix',
        prefix,
        '--archive',
        `s3://${bucket}/hooks`,
        '--s3-endpoint',
        inject('s3Endpoint'),
        '--s3-region',
        'us-east-1',
        '--id',
        archived.deliveryId,
      );
      expect(result).toMatchObject({ code: 0, err: [] });
      expect(result.out.at(-1)).toBe('1 delivery(ies) replayed');
      await vi.waitFor(
        () => expect(jobs.filter((job) => job.delivery.id === archived.deliveryId)).toHaveLength(1),
        {
          timeout: 10_000,
        },
      );
      const [job] = jobs.filter((candidate) => candidate.delivery.id === archived.deliveryId);
      expect(job!.delivery).toMatchObject({ via: 'replay', deliveryKey: archived.delivery.deliveryKey });
    } finally {
      client.destroy();
      vi.unstubAllEnvs();
    }
  });
});
