import { randomUUID } from 'node:crypto';
import { standardWebhooks, storeDelivery } from '@verified-webhooks/core';
import { BullmqWebhookQueue } from '@verified-webhooks/core/bullmq';
import { verifiedEvent } from '@verified-webhooks/core/testing';
import { inject } from 'vitest';
import { runCli } from '../../libs/core/src/cli/cli.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 12).toString('base64');

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

async function delivery(id: string) {
  const event = await verifiedEvent(standardWebhooks(), {
    secret: SECRET,
    id,
    endpoint: 'payouts',
    body: JSON.stringify({ type: 'payout.paid' }),
  });
  return storeDelivery(event, ['payout.paid'], {}, Date.now());
}

describe('verified-webhooks pause|resume|status (real redis-server, BullMQ)', () => {
  it('pauses an endpoint for every worker (deliveries held), reports it, and resumes it', async () => {
    const prefix = `{vw-cli-q-${randomUUID().slice(0, 8)}}`;
    const redis = inject('redisUrl');
    const app = await BullmqWebhookQueue.fromUrl(redis, { prefix });
    const processed: string[] = [];
    await app.process('payouts', async (job) => void processed.push(job.delivery.id!), { concurrency: 1 });
    await app.enqueue(await delivery('msg_first'), ['ledger']);
    await vi.waitFor(() => expect(processed).toEqual(['msg_first']), { timeout: 10_000 });

    const paused = await cli('pause', '--redis', redis, '--prefix', prefix, '--endpoint', 'payouts');
    expect(paused).toMatchObject({ code: 0, err: [] });
    expect(paused.out).toEqual([
      'paused payouts: deliveries are still acknowledged and queued, none is processed (0 waiting)',
    ]);
    for (const id of ['msg_a', 'msg_b', 'msg_c']) await app.enqueue(await delivery(id), ['ledger']);
    const status = await cli('status', '--redis', redis, '--prefix', prefix);
    expect(status.code).toBe(0);
    expect(status.out[0]).toMatch(
      /^payouts {2}paused {2}waiting 3 {2}active 0 {2}delayed 0 {2}dead-letters 0 {2}oldest \d+s$/,
    );
    expect(status.out.at(-1)).toBe('1 endpoint(s), 1 paused');
    expect(processed).toEqual(['msg_first']);

    const resumed = await cli('resume', '--redis', redis, '--prefix', prefix, '--endpoint', 'payouts');
    expect(resumed.out).toEqual(['resumed payouts: 3 held job(s) are processed in order of arrival']);
    await vi.waitFor(() => expect(processed).toEqual(['msg_first', 'msg_a', 'msg_b', 'msg_c']), {
      timeout: 10_000,
    });
    const after = await cli('status', '--redis', redis, '--prefix', prefix, '--endpoint', 'payouts');
    expect(after.out[0]).toMatch(/^payouts {2}running {2}waiting 0 .* oldest -$/);
    await app.close();
  });

  it('refuses to pause an endpoint it does not know unless --force', async () => {
    const prefix = `{vw-cli-q-${randomUUID().slice(0, 8)}}`;
    const redis = inject('redisUrl');
    const typo = await cli('pause', '--redis', redis, '--prefix', prefix, '--endpoint', 'payuots');
    expect(typo.code).toBe(2);
    expect(typo.err).toEqual([
      `verified-webhooks: No endpoint "payuots" on this Redis under prefix ${prefix} (known: none); --force pauses it before its first delivery. (verified-webhooks --help for usage)`,
    ]);
    const forced = await cli('pause', '--redis', redis, '--prefix', prefix, '--endpoint', 'new', '--force');
    expect(forced.code).toBe(0);
    const queue = await BullmqWebhookQueue.fromUrl(redis, { prefix });
    expect(await queue.isPaused('new')).toBe(true);
    await queue.close();
  });

  it.each([
    [
      ['pause', '--endpoint', 'payouts'],
      /^verified-webhooks: pause needs --redis <url>: the deployment's Redis, with its credentials .*there is no default\./,
    ],
    [['status', '--redis', ''], /^verified-webhooks: status needs --redis <url>/],
    [
      ['resume', '--redis', 'localhost:6379', '--endpoint', 'e'],
      /^verified-webhooks: --redis takes a redis:\/\/ or rediss:\/\/ URL, got "localhost:6379"\./,
    ],
    [
      ['status', '--redis', 'http://cache:6379'],
      /^verified-webhooks: --redis takes a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/cache:6379"\./,
    ],
    [['status', '--redis', 'redis://'], /^verified-webhooks: --redis names no host/],
    [['pause', '--redis', 'redis://127.0.0.1:1'], /^verified-webhooks: pause needs --endpoint <name>\./],
    [['status', '--redis', 'redis://127.0.0.1:1', '--bogus'], /^verified-webhooks: Unknown option '--bogus'/],
    [['dead-letters', 'list', '--redis', 'redis://'], /^verified-webhooks: --redis names no host/],
  ])('a mistake in %j is one line and exit code 2, before anything connects', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toEqual([]);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(message);
  });

  it('says in one line when Redis does not answer, and exits 1; a password never shows', async () => {
    const result = await cli('status', '--redis', 'redis://ops:hunter2@127.0.0.1:1');
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^verified-webhooks: Redis at --redis does not answer/);
    expect(result.err[0]).not.toContain('hunter2');
  });
});
