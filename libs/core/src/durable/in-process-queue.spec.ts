import { standardWebhooks } from '../schemes/standard-webhooks.scheme.js';
import { verifiedEvent } from '../testing/scheme-testing.js';
import { InProcessQueue } from './in-process-queue.js';
import { NonRetryableWebhookError } from './non-retryable.error.js';
import { StoredEvent, storeDelivery } from './stored-delivery.js';
import type { WebhookJob } from './webhook-queue.interface.js';
import { retryDelayMs } from './webhook-queue.interface.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 4).toString('base64');

async function delivery(id: string, body: object = { type: 'invoice.paid' }) {
  const event = await verifiedEvent(standardWebhooks(), { secret: SECRET, id, body: JSON.stringify(body) });
  return storeDelivery(
    event,
    ['invoice.paid'],
    { 'content-type': 'application/json', cookie: 'session=1' },
    1,
  );
}

const fast = { baseDelayMs: 1, maxDelayMs: 2 };
const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 5_000 });

describe('InProcessQueue', () => {
  it('forgets the ids it queued after a day, so its memory is bounded by a day of deliveries', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const queue = new InProcessQueue(fast);
      const stored = await delivery('msg_day');
      const waiting = async () => (await queue.stats([stored.endpoint]))[0]!.waiting;
      const known = () => (queue as unknown as { known: Map<string, number> }).known;
      await queue.enqueue(stored, ['a']);
      await queue.enqueue(stored, ['a']); // a copy within the day: not queued again
      expect([await waiting(), known().size]).toEqual([1, 1]);
      vi.setSystemTime(Date.now() + 24 * 60 * 60_000 + 1);
      await queue.enqueue(await delivery('msg_next_day'), ['a']);
      expect(known().size).toBe(1); // msg_day's id is forgotten
      await queue.enqueue(stored, ['a']); // so a copy a day later is queued again, as on BullMQ
      expect([await waiting(), known().size]).toEqual([3, 2]);
      await queue.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs one job per handler, each once, and does not queue a delivery again', async () => {
    const queue = new InProcessQueue(fast);
    const runs: string[] = [];
    const stored = await delivery('msg_once');
    await queue.enqueue(stored, ['a', 'b']);
    await queue.enqueue(stored, ['a', 'b']); // a copy of the same delivery
    await queue.process('standard-webhooks', async (job) => void runs.push(job.handler), { concurrency: 2 });
    await until(() => runs.length === 2);
    await queue.close();
    expect(runs.sort()).toEqual(['a', 'b']);
  });

  it('retries a failing job with backoff until it succeeds at attempt n', async () => {
    const queue = new InProcessQueue({ ...fast, maxAttempts: 5 });
    const attempts: number[] = [];
    await queue.process(
      'standard-webhooks',
      async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error('flaky');
      },
      { concurrency: 1 },
    );
    await queue.enqueue(await delivery('msg_retry'), ['h']);
    await until(() => attempts.length === 3);
    await queue.close();
    expect(attempts).toEqual([1, 2, 3]);
    expect(await queue.deadLetters()).toEqual([]);
  });

  it('dead-letters a job after its last attempt, and at once for a NonRetryableWebhookError', async () => {
    const queue = new InProcessQueue({ ...fast, maxAttempts: 3 });
    const runs: WebhookJob[] = [];
    await queue.process(
      'standard-webhooks',
      async (job) => {
        runs.push(job);
        throw job.handler === 'permanent'
          ? new NonRetryableWebhookError('account deleted')
          : new Error('down');
      },
      { concurrency: 2 },
    );
    await queue.enqueue(await delivery('msg_dead'), ['permanent', 'transient']);
    await until(() => runs.length === 4);
    const letters = await vi.waitFor(async () => {
      const found = await queue.deadLetters();
      expect(found).toHaveLength(2);
      return found;
    });
    expect(
      Object.fromEntries(letters.map((letter) => [letter.handler, [letter.attempts, letter.error]])),
    ).toEqual({
      permanent: [1, 'account deleted'],
      transient: [3, 'down'],
    });
    expect(await queue.deadLetters({ error: 'account' })).toHaveLength(1);
    await queue.close();
  });

  it('retries dead letters (a dry run first) and purges them', async () => {
    const queue = new InProcessQueue({ ...fast, maxAttempts: 1 });
    let fail = true;
    const done: string[] = [];
    await queue.process(
      'standard-webhooks',
      async (job) => {
        if (fail) throw new Error('down');
        done.push(job.handler);
      },
      { concurrency: 1 },
    );
    await queue.enqueue(await delivery('msg_letters'), ['x', 'y']);
    await vi.waitFor(async () => expect(await queue.deadLetters()).toHaveLength(2));
    expect((await queue.retryDeadLetters({ dryRun: true })).map((letter) => letter.handler)).toEqual([
      'x',
      'y',
    ]);
    expect(await queue.deadLetters()).toHaveLength(2);
    fail = false;
    await queue.retryDeadLetters({ id: (await queue.deadLetters())[0]!.id });
    await until(() => done.length === 1);
    expect(await queue.purgeDeadLetters()).toHaveLength(1);
    expect(await queue.deadLetters()).toEqual([]);
    await queue.close();
  });
});

describe('stored deliveries', () => {
  it('keep the bytes, the verification facts and the headers, never the request credentials', async () => {
    const stored = await delivery('msg_stored', { type: 'invoice.paid', amount: 1 });
    expect(stored.headers).toEqual({ 'content-type': 'application/json' });
    const event = new StoredEvent(JSON.parse(JSON.stringify(stored)) as typeof stored);
    expect(event).toMatchObject({ id: 'msg_stored', type: 'invoice.paid', endpoint: 'standard-webhooks' });
    expect(event.payload).toEqual({ type: 'invoice.paid', amount: 1 });
    expect(event.deliveryKey).toBe(stored.deliveryKey);
    expect(event.signed).toEqual({ id: true, type: true, timestamp: true, body: true });
  });

  it("read the payload in the worker as the request did: a JSON-only scheme's body is JSON whatever the content type", async () => {
    const scheme = standardWebhooks();
    const event = await verifiedEvent(scheme, { secret: SECRET, id: 'msg_text', body: '{"type":"ping"}' });
    const stored = storeDelivery(event, ['ping'], { 'content-type': 'text/plain' }, 1, scheme);
    const worked = new StoredEvent(JSON.parse(JSON.stringify(stored)) as typeof stored);
    expect(worked.payload).toEqual({ type: 'ping' });
  });

  it('back off exponentially with jitter, within the policy bounds', () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const delay = retryDelayMs(attempt, { baseDelayMs: 100, maxDelayMs: 1_000 });
      const ceiling = Math.min(1_000, 100 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});
