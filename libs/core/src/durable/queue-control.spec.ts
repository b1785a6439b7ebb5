import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { standardWebhooks } from '../schemes/standard-webhooks.scheme.js';
import { verifiedEvent } from '../testing/scheme-testing.js';
import { BullmqWebhookQueue } from './bullmq-webhook-queue.js';
import { InProcessQueue } from './in-process-queue.js';
import { storeDelivery } from './stored-delivery.js';
import type { WebhookQueue } from './webhook-queue.interface.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
const fast = { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 };

async function delivery(endpoint: string, id: string) {
  const event = await verifiedEvent(standardWebhooks(), {
    secret: SECRET,
    id,
    endpoint,
    body: JSON.stringify({ type: 'invoice.paid' }),
  });
  return storeDelivery(event, ['invoice.paid'], { 'content-type': 'application/json' }, Date.now());
}

describe.each([
  ['InProcessQueue', () => Promise.resolve(new InProcessQueue(fast))],
  [
    'BullmqWebhookQueue (real redis-server)',
    () =>
      BullmqWebhookQueue.fromUrl(inject('redisUrl'), {
        prefix: `{vw-${randomUUID().slice(0, 8)}}`,
        retry: fast,
      }),
  ],
] as const)('pause and resume: %s', (_name, open: () => Promise<WebhookQueue>) => {
  it('holds a paused endpoint’s jobs (counted as waiting), then runs them in order of arrival on resume', async () => {
    const queue = await open();
    const runs: string[] = [];
    const others: string[] = [];
    await queue.process('billing', async (job) => void runs.push(job.delivery.id!), { concurrency: 1 });
    await queue.process('crm', async (job) => void others.push(job.delivery.id!), { concurrency: 1 });
    await queue.pause('billing');
    expect(await queue.isPaused('billing')).toBe(true);
    expect(await queue.isPaused('crm')).toBe(false);
    const ids = Array.from({ length: 30 }, (_, index) => `msg_${String(index).padStart(3, '0')}`);
    for (const id of ids) await queue.enqueue(await delivery('billing', id), ['ledger']);
    await queue.enqueue(await delivery('crm', 'msg_crm'), ['sync']);
    // The other endpoint is not paused: its job runs while billing's wait.
    await vi.waitFor(() => expect(others).toEqual(['msg_crm']), { timeout: 10_000 });
    const [held] = await queue.stats(['billing']);
    expect(held).toMatchObject({ endpoint: 'billing', paused: true, waiting: 30, active: 0, deadLetters: 0 });
    expect(held!.oldestWaitingAt).toBeLessThanOrEqual(Date.now());
    expect(runs).toEqual([]);

    await queue.resume('billing');
    await vi.waitFor(() => expect(runs).toHaveLength(30), { timeout: 10_000 });
    expect(runs).toEqual(ids);
    const [drained] = await queue.stats(['billing']);
    expect(drained).toMatchObject({ paused: false, waiting: 0, oldestWaitingAt: undefined });
    await queue.close();
  });

  it('counts retries as delayed and dead letters by endpoint', async () => {
    const queue = await open();
    await queue.process(
      'orders',
      async () => {
        throw new Error('down');
      },
      { concurrency: 1 },
    );
    await queue.enqueue(await delivery('orders', 'msg_dead'), ['record']);
    await vi.waitFor(async () => expect((await queue.stats(['orders']))[0]!.deadLetters).toBe(1), {
      timeout: 10_000,
    });
    expect((await queue.stats()).map((entry) => entry.endpoint)).toContain('orders');
    await queue.close();
  });
});

describe('BullmqWebhookQueue pause, kept in Redis', () => {
  it('holds across a new queue instance (a restart) and for a worker of another instance', async () => {
    const prefix = `{vw-${randomUUID().slice(0, 8)}}`;
    const url = inject('redisUrl');
    const operator = await BullmqWebhookQueue.fromUrl(url, { prefix });
    await operator.pause('billing');
    await operator.close();

    const restarted = await BullmqWebhookQueue.fromUrl(url, { prefix });
    expect(await restarted.isPaused('billing')).toBe(true);
    const runs: string[] = [];
    await restarted.process('billing', async (job) => void runs.push(job.delivery.id!), { concurrency: 2 });
    await restarted.enqueue(await delivery('billing', 'msg_held'), ['ledger']);
    expect((await restarted.stats(['billing']))[0]).toMatchObject({ paused: true, waiting: 1 });

    // A second worker process on the same Redis holds it too.
    const other = await BullmqWebhookQueue.fromUrl(url, { prefix });
    await other.process('billing', async (job) => void runs.push(job.delivery.id!), { concurrency: 2 });
    await other.enqueue(await delivery('billing', 'msg_held_2'), ['ledger']);
    expect((await other.stats(['billing']))[0]).toMatchObject({ paused: true, waiting: 2 });
    expect(runs).toEqual([]);
    await other.resume('billing');
    await vi.waitFor(() => expect(runs.sort()).toEqual(['msg_held', 'msg_held_2']), { timeout: 10_000 });
    await Promise.all([restarted.close(), other.close()]);
  });
});
