import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { RedisServer } from '../../../../test/support/redis-server.js';
import { standardWebhooks } from '../schemes/standard-webhooks.scheme.js';
import { verifiedEvent } from '../testing/scheme-testing.js';
import { BullmqWebhookQueue, checkQueueRedis } from './bullmq-webhook-queue.js';
import { NonRetryableWebhookError } from './non-retryable.error.js';
import { storeDelivery } from './stored-delivery.js';
import { QueueUnavailableError } from './webhook-queue.interface.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 6).toString('base64');
const fast = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 };

async function delivery(endpoint: string) {
  const event = await verifiedEvent(standardWebhooks(), {
    secret: SECRET,
    id: `msg_${randomUUID()}`,
    endpoint,
    body: JSON.stringify({ type: 'invoice.paid' }),
  });
  return storeDelivery(event, ['invoice.paid'], { 'content-type': 'application/json' }, Date.now());
}

/** A queue on the suite's redis-server with its own prefix, so specs do not see each other's jobs. */
const open = (options = {}) =>
  BullmqWebhookQueue.fromUrl(inject('redisUrl'), {
    prefix: `{vw-${randomUUID().slice(0, 8)}}`,
    retry: fast,
    ...options,
  });

describe('BullmqWebhookQueue (real redis-server)', () => {
  it('runs one job per handler; a copy of a queued delivery is not queued again', async () => {
    const queue = await open();
    const runs: string[] = [];
    const stored = await delivery('billing');
    await queue.enqueue(stored, ['a', 'b']);
    await queue.enqueue(stored, ['a', 'b']);
    await queue.process('billing', async (job) => void runs.push(`${job.handler}@${job.attempt}`), {
      concurrency: 2,
    });
    await vi.waitFor(() => expect(runs.sort()).toEqual(['a@1', 'b@1']), { timeout: 10_000 });
    await queue.close();
  });

  it('retries until attempt n succeeds; dead-letters after the last attempt, and at once when non-retryable', async () => {
    const queue = await open();
    const attempts: Record<string, number[]> = { flaky: [], broken: [], permanent: [] };
    await queue.process(
      'orders',
      async (job) => {
        attempts[job.handler]!.push(job.attempt);
        if (job.handler === 'permanent') throw new NonRetryableWebhookError('order deleted');
        if (job.handler === 'broken' || job.attempt < 2) throw new Error('API down');
      },
      { concurrency: 3 },
    );
    await queue.enqueue(await delivery('orders'), ['flaky', 'broken', 'permanent']);
    await vi.waitFor(
      async () =>
        expect(
          (await queue.deadLetters({ endpoint: 'orders' })).map((letter) => letter.handler).sort(),
        ).toEqual(['broken', 'permanent']),
      { timeout: 10_000 },
    );
    expect(attempts).toEqual({ flaky: [1, 2], broken: [1, 2, 3], permanent: [1] });
    const letters = await queue.deadLetters();
    expect(letters.find((letter) => letter.handler === 'permanent')).toMatchObject({
      endpoint: 'orders',
      attempts: 1,
      error: 'order deleted',
    });
    await queue.close();
  });

  it('retries dead letters from a fresh connection (as the CLI does), and purges them', async () => {
    const prefix = `{vw-${randomUUID().slice(0, 8)}}`;
    const worker = await open({ prefix, retry: { ...fast, maxAttempts: 1 } });
    let fail = true;
    const done: string[] = [];
    await worker.process(
      'crm',
      async (job) => {
        if (fail) throw new Error('CRM down');
        done.push(job.handler);
      },
      { concurrency: 1 },
    );
    await worker.enqueue(await delivery('crm'), ['sync', 'notify']);
    const operator = await open({ prefix });
    await vi.waitFor(async () => expect(await operator.deadLetters()).toHaveLength(2), { timeout: 10_000 });
    expect(await operator.endpoints()).toEqual(['crm']);
    expect(await operator.retryDeadLetters({ dryRun: true })).toHaveLength(2);
    fail = false;
    const [first] = await operator.deadLetters();
    await operator.retryDeadLetters({ id: first!.id });
    await vi.waitFor(() => expect(done).toEqual([first!.handler]), { timeout: 10_000 });
    expect((await operator.purgeDeadLetters()).map((letter) => letter.handler)).toHaveLength(1);
    expect(await operator.deadLetters()).toEqual([]);
    await Promise.all([worker.close(), operator.close()]);
  });

  it('waits for running jobs on close (graceful shutdown)', async () => {
    const queue = await open();
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    await queue.process(
      'slow',
      async () => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished = true;
      },
      { concurrency: 1 },
    );
    await queue.enqueue(await delivery('slow'), ['h']);
    await running;
    await queue.close();
    expect(finished).toBe(true);
  });

  it('refuses to store while Redis is down (the sender is answered 503), and warns about a non-durable Redis', async () => {
    const server = await RedisServer.start();
    const queue = await BullmqWebhookQueue.fromUrl(server.url, { commandTimeoutMs: 500 });
    const client = new Redis(server.url);
    expect((await checkQueueRedis(client)).join()).toMatch(/AOF is off/);
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    expect((await checkQueueRedis(client)).join()).toMatch(/maxmemory-policy is allkeys-lru/);
    await client.quit();
    await server.stop();
    await expect(queue.enqueue(await delivery('down'), ['h'])).rejects.toBeInstanceOf(QueueUnavailableError);
    await queue.close();
    await server.dispose();
  });
});
