import { parseArgs } from 'node:util';
import type { EndpointQueueStats } from '../durable/queue-control.js';
import { openOperatorQueue } from './operator-options.js';
import { requireRedisUrl } from './redis-url.js';
import { UsageError } from './usage-error.js';

export const QUEUE_USAGE = `  verified-webhooks pause|resume --redis <url> --endpoint <e> [--prefix <prefix>] [--force]
  verified-webhooks status --redis <url> [--endpoint <e>] [--prefix <prefix>]`;

export const QUEUE_HELP = `pause   stops processing an endpoint's queued deliveries on a deployment's Redis (BullMQ): they are
        still verified, acknowledged and queued. The pause is kept in Redis: every worker process
        obeys it, across restarts. --force pauses an endpoint that has queued nothing yet.
resume  processes them again, the held ones in order of arrival.
status  one line per endpoint: paused or running, jobs waiting, active, delayed (retries),
        dead letters, and the age of the oldest waiting job.`;

const OPTIONS = {
  redis: { type: 'string' },
  prefix: { type: 'string' },
  endpoint: { type: 'string' },
  force: { type: 'boolean', default: false },
} as const;

type Io = { out(line: string): void; err(line: string): void };

/** `pause`, `resume` and `status`: act on the BullMQ queues of the Redis in --redis only. */
export async function queueCommand(command: 'pause' | 'resume' | 'status', argv: readonly string[], io: Io) {
  const { values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true });
  const redis = requireRedisUrl(values.redis, command);
  const endpoint = values.endpoint;
  if (command !== 'status' && !endpoint) throw new UsageError(`${command} needs --endpoint <name>.`);
  if (command === 'status' && values.force) throw new UsageError('status takes no --force.');
  const queue = await openOperatorQueue(redis, values.prefix, io);
  if (!queue) return 1;
  try {
    const known = await queue.endpoints();
    if (endpoint && !known.includes(endpoint) && !(command === 'pause' && values.force)) {
      throw new UsageError(
        `No endpoint "${endpoint}" on this Redis${values.prefix ? ` under prefix ${values.prefix}` : ''} (known: ${known.join(', ') || 'none'})${command === 'pause' ? '; --force pauses it before its first delivery' : ''}.`,
      );
    }
    if (command === 'status') {
      const stats = await queue.stats(endpoint ? [endpoint] : known);
      const now = Date.now();
      for (const entry of stats) io.out(describe(entry, now));
      io.out(`${stats.length} endpoint(s), ${stats.filter((entry) => entry.paused).length} paused`);
      return 0;
    }
    if (command === 'pause') {
      await queue.pause(endpoint!);
      const [entry] = await queue.stats([endpoint!]);
      io.out(
        `paused ${endpoint}: deliveries are still acknowledged and queued, none is processed (${entry!.waiting} waiting)`,
      );
    } else {
      // Counted before: once resumed, workers start taking the held jobs at once.
      const [entry] = await queue.stats([endpoint!]);
      await queue.resume(endpoint!);
      io.out(`resumed ${endpoint}: ${entry!.waiting} held job(s) are processed in order of arrival`);
    }
    return 0;
  } finally {
    await queue.close();
  }
}

function describe(entry: EndpointQueueStats, now: number): string {
  return [
    entry.endpoint,
    entry.paused ? 'paused' : 'running',
    `waiting ${entry.waiting}`,
    `active ${entry.active}`,
    `delayed ${entry.delayed}`,
    `dead-letters ${entry.deadLetters}`,
    `oldest ${entry.oldestWaitingAt === undefined ? '-' : `${Math.max(0, Math.round((now - entry.oldestWaitingAt) / 1000))}s`}`,
  ].join('  ');
}
