import { github } from '../schemes/presets/github.scheme.js';
import { standardWebhooks } from '../schemes/standard-webhooks.scheme.js';
import { verifiedEvent } from '../testing/scheme-testing.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
const eventOfType = (type: string, id = `msg_${type}`) =>
  verifiedEvent(standardWebhooks(), { secret: SECRET, id, body: JSON.stringify({ type, data: {} }) });

describe('WebhookDispatcher', () => {
  it('runs every handler whose pattern matches, in registration order: exact, prefix.* and *', async () => {
    const ran: string[] = [];
    const dispatcher = new WebhookDispatcher()
      .on('invoice.paid', () => void ran.push('exact'), { name: 'exact' })
      .on('invoice.*', () => void ran.push('prefix'), { name: 'prefix' })
      .on(['customer.created', 'invoice.paid'], () => void ran.push('list'), { name: 'list' })
      .on('*', () => void ran.push('all'), { name: 'all' });
    expect(await dispatcher.dispatch(await eventOfType('invoice.paid'))).toEqual({
      handled: ['exact', 'prefix', 'list', 'all'],
    });
    expect(ran).toEqual(['exact', 'prefix', 'list', 'all']);
    ran.length = 0;
    expect((await dispatcher.dispatch(await eventOfType('customer.created'))).handled).toEqual([
      'list',
      'all',
    ]);
    // 'invoice.*' is a prefix of names with a dot, not of any string.
    expect((await dispatcher.dispatch(await eventOfType('invoices'))).handled).toEqual(['all']);
    expect((await dispatcher.dispatch(await eventOfType('ping'))).handled).toEqual(['all']);
  });

  it('stops at the first handler that throws and rejects with its error', async () => {
    const ran: string[] = [];
    const dispatcher = new WebhookDispatcher()
      .on('*', () => void ran.push('first'), { name: 'first' })
      .on('*', () => Promise.reject(new Error('database down')), { name: 'failing' })
      .on('*', () => void ran.push('after'), { name: 'after' });
    await expect(dispatcher.dispatch(await eventOfType('a.b'))).rejects.toThrow('database down');
    expect(ran).toEqual(['first']);
  });

  it('gives each handler an idempotency key that is stable for the delivery and differs between handlers', async () => {
    const keys: Record<string, string[]> = { one: [], two: [] };
    const dispatcher = new WebhookDispatcher()
      .on('*', (_event, { idempotencyKey }) => void keys.one!.push(idempotencyKey), { name: 'one' })
      .on('*', (_event, { idempotencyKey }) => void keys.two!.push(idempotencyKey), { name: 'two' });
    await dispatcher.dispatch(await eventOfType('a.b', 'msg_same'));
    await dispatcher.dispatch(await eventOfType('a.b', 'msg_same')); // the sender's retry
    await dispatcher.dispatch(await eventOfType('a.b', 'msg_other'));
    expect(keys.one![0]).toBe(keys.one![1]);
    expect(keys.one![0]).not.toBe(keys.two![0]);
    expect(keys.one![2]).not.toBe(keys.one![0]);
  });

  it('names GitHub deliveries by event and by event.action, as @octokit/webhooks does', async () => {
    const event = await verifiedEvent(github(), {
      secret: 'github-secret-0123456789abcdef',
      type: 'issues',
      body: JSON.stringify({ action: 'opened', issue: { number: 1 } }),
    });
    const dispatcher = new WebhookDispatcher(github())
      .on('issues', () => undefined, { name: 'all-issues' })
      .on('issues.opened', () => undefined, { name: 'opened' })
      .on('issues.*', () => undefined, { name: 'any-action' })
      .on('issues.closed', () => undefined, { name: 'closed' });
    expect((await dispatcher.dispatch(event)).handled).toEqual(['all-issues', 'opened', 'any-action']);
    // GitHub does not sign X-GitHub-Event: the event says so.
    expect(event.signed.type).toBe(false);
  });

  it('refuses malformed patterns and two handlers of one name when they are registered', () => {
    expect(() => new WebhookDispatcher().on('invoice*', () => undefined)).toThrow(/'prefix\.\*' or '\*'/);
    expect(() => new WebhookDispatcher().on([], () => undefined)).toThrow(/names no event type/);
    const dispatcher = new WebhookDispatcher().on('*', () => undefined, { name: 'same' });
    expect(() => dispatcher.on('*', () => undefined, { name: 'same' })).toThrow(
      /idempotency keys would collide/,
    );
  });
});
