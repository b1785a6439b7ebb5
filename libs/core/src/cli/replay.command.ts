import { parseArgs } from 'node:util';
import type { ArchivedDelivery, ArchiveSink } from '../archive/archive-sink.interface.js';
import type { WebhookQueue } from '../durable/webhook-queue.interface.js';
import type { PresetName } from '../schemes/preset-registry.js';
import { resolveScheme } from '../schemes/preset-registry.js';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import { errorText } from '../internal/error-text.js';
import { dateOption, openOperatorQueue, positiveOption } from './operator-options.js';
import { requireRedisUrl } from './redis-url.js';
import { UsageError } from './usage-error.js';

export const REPLAY_USAGE = `  verified-webhooks replay (--id <id> | --all) [--redis <url>] [--prefix <prefix>]
                         [--archive <folder> | --archive s3://<bucket>/<prefix> [--s3-endpoint <url>] [--s3-region <r>]]
                         [--endpoint <e>] [--since <iso date>] [--until <iso date>] [--type <type or prefix.*>]
                         [--handler <name>]... [--dry-run] [--rate <per second>] [--fresh-keys]
                         [--to <url> (--secret <development secret> | --secret-env <NAME>) [--scheme <name>]]`;

export const REPLAY_HELP = `replay  runs the handlers of archived deliveries again, through the deployment's queue on --redis
        (the credentials there only): one by --id, or every one the filters select with --all.
        The archive is the queue's own retention unless --archive names a folder (FsArchiveSink) or an
        S3 location (S3ArchiveSink; credentials from the AWS SDK's usual environment). Handlers see the
        original idempotency keys unless --fresh-keys. --dry-run lists, --rate caps deliveries a second.
        --to posts each archived body to a URL instead (a local app), signed anew with --secret, a
        development secret: never the production one (--secret-env NAME reads it from that environment
        variable, so it is not in ps or the shell history). No archived credential or signature header
        is sent along.`;

const OPTIONS = {
  redis: { type: 'string' },
  prefix: { type: 'string' },
  archive: { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
  id: { type: 'string' },
  all: { type: 'boolean', default: false },
  endpoint: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  type: { type: 'string' },
  handler: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean', default: false },
  rate: { type: 'string' },
  'fresh-keys': { type: 'boolean', default: false },
  to: { type: 'string' },
  secret: { type: 'string' },
  'secret-env': { type: 'string' },
  scheme: { type: 'string' },
} as const;

type Io = { out(line: string): void; err(line: string): void };

/** `replay`: one line per delivery, then a summary line. */
export async function replay(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true });
  if (!values.id === !values.all) throw new UsageError('replay needs exactly one of --id <id> or --all.');
  const secret = secretOf(values.secret, values['secret-env']);
  if (values.to !== undefined && !secret) {
    throw new UsageError(
      'replay --to needs --secret <development secret> or --secret-env <NAME>: each body is signed anew with it.',
    );
  }
  if (values.to === undefined && (secret !== undefined || values.scheme !== undefined)) {
    throw new UsageError('--secret, --secret-env and --scheme are for replay --to <url> only.');
  }
  if (values.to !== undefined && (values['fresh-keys'] || values.handler)) {
    throw new UsageError('--fresh-keys and --handler are for replay through the queue, not --to.');
  }
  if (values.to !== undefined && !/^https?:\/\//.test(values.to)) {
    throw new UsageError(`--to takes an http(s) URL, got "${values.to}".`);
  }
  const s3 = values.archive?.startsWith('s3://');
  if (!s3 && (values['s3-endpoint'] !== undefined || values['s3-region'] !== undefined)) {
    throw new UsageError('--s3-endpoint and --s3-region need --archive s3://<bucket>/<prefix>.');
  }
  const needsQueue = values.to === undefined || values.archive === undefined;
  // Checked as every operator command checks it: required, a redis(s):// URL with a host.
  const redisUrl = needsQueue
    ? requireRedisUrl(values.redis, values.to === undefined ? 'replay' : 'replay --to without --archive')
    : undefined;
  const filter = {
    id: values.id,
    all: values.all,
    endpoint: values.endpoint,
    since: dateOption(values.since, '--since'),
    until: dateOption(values.until, '--until'),
    type: values.type,
    dryRun: values['dry-run'],
    ratePerSecond: values.rate === undefined ? undefined : positiveOption(values.rate, '--rate'),
  };
  const fixedScheme = values.scheme === undefined ? undefined : presetScheme(values.scheme, '--scheme');
  if (fixedScheme && secret) checkSecret(fixedScheme, secret);

  let queue: (WebhookQueue & { close(): Promise<void> }) | undefined;
  let archive: ArchiveSink | undefined;
  try {
    if (needsQueue) {
      queue = await openOperatorQueue(redisUrl!, values.prefix, io);
      if (!queue) return 1;
    }
    archive = await openArchive(values, queue);
    if (values.to !== undefined) {
      const { replayToUrl } = await import('../archive/replay-to-url.js');
      const schemeOf = (entry: ArchivedDelivery) => {
        const scheme =
          fixedScheme ?? presetScheme(entry.delivery.scheme, `the scheme of ${entry.deliveryId}`);
        checkSecret(scheme, secret!);
        return scheme;
      };
      const posted = await replayToUrl(archive, {
        ...filter,
        url: values.to,
        secret: secret!,
        schemeOf,
      });
      for (const entry of posted) {
        io.out(
          entry.status === undefined
            ? entry.deliveryId
            : `${entry.deliveryId}: ${entry.status} ${entry.body}`,
        );
      }
      io.out(
        `${posted.length} delivery(ies) ${filter.dryRun ? 'selected (dry run: nothing sent)' : `posted to ${values.to}`}`,
      );
      return 0;
    }
    const { replayArchived } = await import('../archive/archive-replay.js');
    const replayed = await replayArchived(archive, queue!, {
      ...filter,
      freshKeys: values['fresh-keys'],
      handlers: values.handler,
    });
    for (const entry of replayed) {
      io.out(
        [
          entry.receivedAt.toISOString(),
          entry.endpoint,
          entry.deliveryId,
          entry.type ?? '-',
          `handlers ${entry.handlers.join(',') || '-'}`,
          ...(entry.redacted ? ['redacted'] : []),
          ...(entry.replayId ? [`replay ${entry.replayId}`] : []),
        ].join('  '),
      );
    }
    io.out(`${replayed.length} delivery(ies) replayed${filter.dryRun ? ' (dry run: nothing done)' : ''}`);
    return 0;
  } finally {
    await archive?.close?.();
    await queue?.close();
  }
}

async function openArchive(
  values: {
    archive?: string | undefined;
    's3-endpoint'?: string | undefined;
    's3-region'?: string | undefined;
  },
  queue: WebhookQueue | undefined,
): Promise<ArchiveSink> {
  const location = values.archive;
  if (location === undefined) {
    const { QueueArchive } = await import('../archive/queue-archive.sink.js');
    return new QueueArchive(queue!);
  }
  if (!location.startsWith('s3://')) {
    const { FsArchiveSink } = await import('../archive/fs-archive.sink.js');
    return new FsArchiveSink({ directory: location });
  }
  const [bucket, ...rest] = location.slice('s3://'.length).split('/');
  if (!bucket)
    throw new UsageError(`--archive s3:// needs a bucket: s3://<bucket>/<prefix>, got "${location}".`);
  let s3: typeof import('@aws-sdk/client-s3');
  try {
    s3 = await import('@aws-sdk/client-s3');
  } catch {
    throw new UsageError(
      '--archive s3:// needs the package @aws-sdk/client-s3: npm install @aws-sdk/client-s3',
    );
  }
  const client = new s3.S3Client({
    ...(values['s3-region'] ? { region: values['s3-region'] } : {}),
    // A local S3-compatible server (MinIO, s3rver) is addressed by path, not by bucket host name.
    ...(values['s3-endpoint'] ? { endpoint: values['s3-endpoint'], forcePathStyle: true } : {}),
  });
  const { S3ArchiveSink } = await import('../archive/s3-archive.sink.js');
  const sink = await S3ArchiveSink.create({ bucket, prefix: rest.join('/'), client });
  return { ...sinkMethods(sink), close: () => Promise.resolve(client.destroy()) };
}

/** The sink's methods bound, so its own `close` (which keeps a given client open) is replaced. */
function sinkMethods(sink: ArchiveSink): ArchiveSink {
  return {
    put: (entry) => sink.put(entry),
    recordOutcome: (ref, handler, outcome) => sink.recordOutcome(ref, handler, outcome),
    list: (filter) => sink.list(filter),
  };
}

function presetScheme(name: string, where: string): AnyWebhookScheme {
  try {
    return resolveScheme(name as PresetName);
  } catch {
    throw new UsageError(`${where} is "${name}", which is not a preset; name one with --scheme <preset>.`);
  }
}

/** The development secret must be one the scheme can sign with. */
function checkSecret(scheme: AnyWebhookScheme, secret: string): void {
  try {
    scheme.importKey(secret);
  } catch (error) {
    throw new UsageError(`--secret is not a ${scheme.name} secret: ${errorText(error)}`);
  }
}

/** The development secret: given, or read from the named environment variable (never both). */
function secretOf(given: string | undefined, variable: string | undefined): string | undefined {
  if (variable === undefined) return given;
  if (given !== undefined) throw new UsageError('Give --secret or --secret-env, not both.');
  const value = process.env[variable];
  if (!value) throw new UsageError(`--secret-env names ${variable}, which is not set in the environment.`);
  return value;
}
