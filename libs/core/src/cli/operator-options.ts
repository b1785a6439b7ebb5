import type { BullmqWebhookQueue } from '../durable/bullmq-webhook-queue.js';
import type { CliIo } from './cli.js';
import { errorText } from '../internal/error-text.js';
import { UsageError } from './usage-error.js';

/** `--since` / `--until`: a date `new Date()` reads, else a usage error naming the option. */
export function dateOption(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`${option} is not a date: ${value}`);
  return parsed;
}

/** `--rate` and the like: a number above 0. */
export function positiveOption(value: string, option: string): number {
  const number = Number(value);
  if (!(number > 0)) throw new UsageError(`${option} must be a number > 0.`);
  return number;
}

/**
 * The durable queues on the `--redis` an operator command acts on, once Redis has answered a ping;
 * undefined (said on stderr, the connections closed) when it does not: the command exits 1.
 */
export async function openOperatorQueue(
  redisUrl: string,
  prefix: string | undefined,
  io: CliIo,
): Promise<BullmqWebhookQueue | undefined> {
  const { BullmqWebhookQueue } = await import('../durable/bullmq-webhook-queue.js');
  const queue = await BullmqWebhookQueue.fromUrl(redisUrl, prefix ? { prefix } : {});
  try {
    await queue.ping();
    return queue;
  } catch (error) {
    io.err(`verified-webhooks: Redis at --redis does not answer: ${errorText(error)}`);
    await queue.close();
    return undefined;
  }
}
