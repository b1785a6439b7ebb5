import { parseArgs } from 'node:util';
import type { DeadLetter } from '../durable/webhook-queue.interface.js';
import { dateOption, openOperatorQueue, positiveOption } from './operator-options.js';
import { requireRedisUrl } from './redis-url.js';
import { UsageError } from './usage-error.js';

export const DEAD_LETTERS_USAGE = `  verified-webhooks dead-letters list|retry|purge --redis <url> [--prefix <prefix>] [--endpoint <e>]
                         [--id <id> | --all] [--since <iso date>] [--until <iso date>] [--error <text>]
                         [--dry-run] [--rate <per second>]`;

export const DEAD_LETTERS_HELP = `dead-letters  lists, retries (attempts start over) or purges the durable routes' dead letters on a
        deployment's Redis (BullMQ), with the credentials in --redis only. retry and purge need --id or
        --all; --dry-run shows what they would do; --rate caps retries per second.`;

const OPTIONS = {
  redis: { type: 'string' },
  prefix: { type: 'string' },
  endpoint: { type: 'string' },
  id: { type: 'string' },
  all: { type: 'boolean', default: false },
  since: { type: 'string' },
  until: { type: 'string' },
  error: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  rate: { type: 'string' },
} as const;

/** `dead-letters list|retry|purge`: one line per dead letter, then a summary line. */
export async function deadLetters(
  argv: readonly string[],
  io: { out(line: string): void; err(line: string): void },
): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'list' && action !== 'retry' && action !== 'purge') {
    throw new UsageError('dead-letters takes list, retry or purge.');
  }
  const { values } = parseArgs({ args: [...rest], options: OPTIONS, strict: true });
  const redis = requireRedisUrl(values.redis, 'dead-letters');
  if (action !== 'list' && !values.id && !values.all) {
    throw new UsageError(`dead-letters ${action} needs --id <id> or --all.`);
  }
  const filter = {
    endpoint: values.endpoint,
    id: values.id,
    since: dateOption(values.since, '--since'),
    until: dateOption(values.until, '--until'),
    error: values.error,
    dryRun: values['dry-run'],
    ratePerSecond: values.rate === undefined ? undefined : positiveOption(values.rate, '--rate'),
  };
  const queue = await openOperatorQueue(redis, values.prefix, io);
  if (!queue) return 1;
  try {
    const letters =
      action === 'list'
        ? await queue.deadLetters(filter)
        : action === 'retry'
          ? await queue.retryDeadLetters(filter)
          : await queue.purgeDeadLetters(filter);
    for (const letter of letters) io.out(describe(letter));
    const verb =
      action === 'list'
        ? 'listed'
        : `${action === 'retry' ? 'retried' : 'purged'}${filter.dryRun ? ' (dry run: nothing done)' : ''}`;
    io.out(`${letters.length} dead letter(s) ${verb}`);
    return 0;
  } finally {
    await queue.close();
  }
}

function describe(letter: DeadLetter): string {
  return [
    letter.failedAt.toISOString(),
    letter.endpoint,
    letter.handler,
    `delivery ${letter.deliveryId ?? '-'}`,
    `job ${letter.id}`,
    `attempts ${letter.attempts}`,
    JSON.stringify(letter.error),
  ].join('  ');
}
