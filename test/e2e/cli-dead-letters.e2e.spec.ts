import { randomUUID } from 'node:crypto';
import { standardWebhooks, storeDelivery } from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import { verifiedEvent } from '@verified-webhooks/core/testing';
import { inject } from 'vitest';
import { runCli } from '../../libs/core/src/cli/cli.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 8).toString('base64');

/** Runs the CLI in-process and collects what it prints. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('verified-webhooks dead-letters (real redis-server, BullMQ)', () => {
  it('lists, retries (then the worker processes it) and purges the dead letters of a deployment', async () => {
    const prefix = `{vw-cli-${randomUUID().slice(0, 8)}}`;
    const redis = inject('redisUrl');
    const worker = await BullmqWebhookQueue.fromUrl(redis, { prefix, retry: { maxAttempts: 1 } });
    let down = true;
    const processed: string[] = [];
    await worker.process(
      'billing',
      async (job) => {
        if (down) throw new Error('ledger down');
        processed.push(job.handler);
      },
      { concurrency: 1 },
    );
    const event = await verifiedEvent(standardWebhooks(), {
      secret: SECRET,
      id: 'msg_cli',
      endpoint: 'billing',
      body: JSON.stringify({ type: 'invoice.paid' }),
    });
    await worker.enqueue(storeDelivery(event, ['invoice.paid'], {}, Date.now()), ['ledger', 'email']);
    await vi.waitFor(async () => expect(await worker.deadLetters()).toHaveLength(2), { timeout: 10_000 });

    const listed = await cli('dead-letters', 'list', '--redis', redis, '--prefix', prefix);
    expect(listed.code).toBe(0);
    expect(listed.out.at(-1)).toBe('2 dead letter(s) listed');
    expect(listed.out[0]).toMatch(
      /billing {2}(ledger|email) {2}delivery msg_cli {2}job \S+ {2}attempts 1 {2}"ledger down"/,
    );

    expect((await cli('dead-letters', 'retry', '--redis', redis, '--prefix', prefix)).err).toEqual([
      'verified-webhooks: dead-letters retry needs --id <id> or --all. (verified-webhooks --help for usage)',
    ]);
    const dry = await cli(
      'dead-letters',
      'retry',
      '--all',
      '--dry-run',
      '--redis',
      redis,
      '--prefix',
      prefix,
    );
    expect(dry.out.at(-1)).toBe('2 dead letter(s) retried (dry run: nothing done)');
    expect(await worker.deadLetters()).toHaveLength(2);

    down = false;
    const ledger = (await worker.deadLetters()).find((letter) => letter.handler === 'ledger')!;
    const retried = await cli(
      'dead-letters',
      'retry',
      '--id',
      ledger.id,
      '--redis',
      redis,
      '--prefix',
      prefix,
    );
    expect(retried.out.at(-1)).toBe('1 dead letter(s) retried');
    await vi.waitFor(() => expect(processed).toEqual(['ledger']), { timeout: 10_000 });

    const purged = await cli(
      'dead-letters',
      'purge',
      '--all',
      '--endpoint',
      'billing',
      '--redis',
      redis,
      '--prefix',
      prefix,
    );
    expect(purged.out.at(-1)).toBe('1 dead letter(s) purged');
    expect(await worker.deadLetters()).toEqual([]);
    await worker.close();
  });

  it('says in one line when Redis does not answer, and exits 1', async () => {
    const result = await cli('dead-letters', 'list', '--redis', 'redis://127.0.0.1:1');
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^verified-webhooks: Redis at --redis does not answer/);
  });
});
