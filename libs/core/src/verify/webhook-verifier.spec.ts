import { runInNewContext } from 'node:vm';
import { eventOf, reasonAndStatusOf, reasonOf } from '../testing/scheme-testing.js';
import type { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import { MemoryReplayStore } from '../replay/memory-replay.store.js';
import type { ReplayStore } from '../replay/replay-store.interface.js';
import { standardWebhooks } from '../schemes/standard-webhooks.scheme.js';
import { verifyWebhook, WebhookVerifier } from './webhook-verifier.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 21).toString('base64');
const OLD_SECRET = 'whsec_' + Buffer.alloc(32, 22).toString('base64');
const NOW = 1_800_000_000_000;
const scheme = standardWebhooks();
const request = (options: { secret?: string; at?: number; id?: string; body?: string } = {}) => {
  const body = options.body ?? '{"type":"order.created"}';
  return {
    headers: scheme.sign({
      secret: options.secret ?? SECRET,
      body,
      id: options.id ?? 'msg_1',
      timestamp: options.at ?? NOW,
    }),
    rawBody: Buffer.from(body),
  };
};

describe('WebhookVerifier', () => {
  it('answers 503 when the resolver throws and 401 when it knows no secret', async () => {
    const failing = new WebhookVerifier({
      scheme,
      secrets: () => Promise.reject(new Error('db down')),
      replayStore: false,
      clock: () => NOW,
    });
    expect(await reasonAndStatusOf(failing.receive(request()))).toBe('secret_resolver_failed/503');
    const unknown = new WebhookVerifier({
      scheme,
      secrets: () => undefined,
      replayStore: false,
      clock: () => NOW,
    });
    expect(await reasonAndStatusOf(unknown.receive(request()))).toBe('unknown_endpoint/401');
  });

  it('answers 500 for a secret that cannot be used (fail closed)', async () => {
    const verifier = new WebhookVerifier({
      scheme,
      secrets: 'whsec_!!',
      replayStore: false,
      clock: () => NOW,
    });
    expect(await reasonAndStatusOf(verifier.receive(request()))).toBe('invalid_secret/500');
  });

  it('tries every secret even after one matched (no early exit that tells which matched)', async () => {
    const verify = vi.spyOn(scheme, 'verify');
    const verifier = new WebhookVerifier({
      scheme,
      secrets: [SECRET, OLD_SECRET],
      replayStore: false,
      clock: () => NOW,
    });
    await verifier.receive(request());
    expect(verify).toHaveBeenCalledTimes(2);
    verify.mockRestore();
  });

  it('gives the resolver endpoint, tenant, params and header event type, never the body', async () => {
    const resolve = vi.fn(() => SECRET);
    const verifier = new WebhookVerifier({
      scheme,
      secrets: resolve,
      endpoint: 'orders',
      replayStore: false,
      clock: () => NOW,
    });
    await verifier.receive({ ...request(), tenant: 'acme', params: { tenant: 'acme' } });
    expect(resolve).toHaveBeenCalledWith(
      expect.objectContaining({
        endpoint: 'orders',
        tenant: 'acme',
        params: { tenant: 'acme' },
        scheme: 'standard-webhooks',
      }),
    );
    expect(JSON.stringify(resolve.mock.calls)).not.toContain('order.created');
  });

  it('keeps a delivery at least until its timestamp leaves the acceptance window ', async () => {
    const store = new MemoryReplayStore();
    const complete = vi.spyOn(store, 'complete');
    const verifier = new WebhookVerifier({
      scheme,
      secrets: SECRET,
      toleranceMs: 10 * 60_000,
      replayStore: store,
      replayWindowMs: 5 * 60_000,
      clock: () => NOW,
    });
    const outcome = await verifier.receive(request({ at: NOW + 9 * 60_000 }));
    if (outcome.kind !== 'new') throw new Error('expected a new delivery');
    await outcome.claim?.complete();
    expect(complete.mock.calls[0]![2]).toBeGreaterThanOrEqual(19 * 60_000);
    const recent = await verifier.receive(request({ id: 'msg_2' }));
    if (recent.kind !== 'new') throw new Error('expected a new delivery');
    await recent.claim?.complete();
    expect(complete.mock.calls[1]![2]).toBeGreaterThanOrEqual(10 * 60_000);
    await store.close();
  });

  it('works without Nest: verify, handle, complete; then the duplicate is reported', async () => {
    const store = new MemoryReplayStore();
    const options = { scheme, secrets: SECRET, replayStore: store, clock: () => NOW };
    const first = await verifyWebhook(request(), options);
    expect(first.kind).toBe('new');
    expect(eventOf(first).payload).toEqual({ type: 'order.created' });
    if (first.kind === 'new') await first.claim?.complete();
    expect((await verifyWebhook(request(), options)).kind).toBe('duplicate');
    await store.close();
  });

  it('answers 409 with a retry hint while the delivery is in flight, 503 when the store fails', async () => {
    const store = new MemoryReplayStore();
    const verifier = new WebhookVerifier({
      scheme,
      secrets: SECRET,
      replayStore: store,
      leaseMs: 30_000,
      clock: () => NOW,
    });
    await verifier.receive(request());
    const error = await verifier.receive(request()).catch((e: unknown) => e as WebhookVerificationError);
    expect(error).toMatchObject({ reason: 'replay_in_flight', status: 409 });
    expect((error as WebhookVerificationError).retryAfterMs).toBeGreaterThan(0);
    const broken: ReplayStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      complete: () => Promise.resolve(true),
      release: () => Promise.resolve(),
      renew: () => Promise.resolve(true),
    };
    const closed = new WebhookVerifier({
      scheme,
      secrets: SECRET,
      replayStore: broken,
      clock: () => NOW,
    });
    expect(await reasonAndStatusOf(closed.receive(request()))).toBe('replay_store_unavailable/503');
    await store.close();
  });
});

describe('verify and claim apart', () => {
  it('verifies without touching the store, and claims only when asked', async () => {
    const store = new MemoryReplayStore();
    const claim = vi.spyOn(store, 'claim');
    const verifier = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: store, clock: () => NOW });
    const verification = await verifier.verify(request({ id: 'msg_apart' }));
    if (verification.kind !== 'verified') throw new Error('expected a verified delivery');
    expect(claim).not.toHaveBeenCalled();
    expect(verification.replay?.key).toMatch(/^vw:\{/);
    expect((await verifier.claim(verification)).kind).toBe('new');
    expect(await reasonAndStatusOf(verifier.claim(verification))).toBe('replay_in_flight/409');
    await store.close();
  });

  it('rejects, never throws, on a refusal', async () => {
    const verifier = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: false, clock: () => NOW });
    let answer: Promise<unknown> | undefined;
    expect(() => (answer = verifier.verify(request({ secret: OLD_SECRET })))).not.toThrow();
    expect(await reasonAndStatusOf(answer as never)).toBe('signature_mismatch/401');
  });
});

describe('answers from other realms and odd stores', () => {
  it('awaits a promise from another realm (vm, Bluebird) instead of reading it as an answer', async () => {
    const memory = new MemoryReplayStore();
    const ForeignPromise = runInNewContext('Promise') as PromiseConstructor;
    const store: ReplayStore = {
      claim: (key, leaseMs) => ForeignPromise.resolve().then(() => memory.claim(key, leaseMs)),
      complete: (key, token, ttlMs) => memory.complete(key, token, ttlMs),
      release: (key, token) => memory.release(key, token),
      renew: (key, token, leaseMs) => memory.renew(key, token, leaseMs),
    };
    const verifier = new WebhookVerifier({
      scheme,
      secrets: () => ForeignPromise.resolve(SECRET),
      replayStore: store,
      clock: () => NOW,
    });
    expect((await verifier.receive(request({ id: 'msg_realm' }))).kind).toBe('new');
    expect(await reasonAndStatusOf(verifier.receive(request({ id: 'msg_realm' })))).toBe(
      'replay_in_flight/409',
    );
    await memory.close();
  });

  it('fails closed on a claim answer with no known state', async () => {
    const store = {
      claim: () => Promise.resolve({ state: 'maybe' }),
      complete: () => Promise.resolve(true),
      release: () => Promise.resolve(),
      renew: () => Promise.resolve(true),
    } as unknown as ReplayStore;
    const verifier = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: store, clock: () => NOW });
    expect(await reasonAndStatusOf(verifier.receive(request()))).toBe('replay_store_unavailable/503');
  });

  it('lets a claim be settled through detached methods', async () => {
    const store = new MemoryReplayStore();
    const verifier = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: store, clock: () => NOW });
    const outcome = await verifier.receive(request({ id: 'msg_detached' }));
    if (outcome.kind !== 'new' || !outcome.claim) throw new Error('expected a claim');
    const { complete } = outcome.claim;
    await Promise.resolve().then(complete);
    expect((await verifier.receive(request({ id: 'msg_detached' }))).kind).toBe('duplicate');
    await store.close();
  });
});

describe('settling a claim', () => {
  it('retries a complete() that fails once, so a blip does not leave the delivery in flight', async () => {
    const store = new MemoryReplayStore();
    const complete = vi.spyOn(store, 'complete').mockRejectedValueOnce(new Error('blip'));
    const verifier = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: store, clock: () => NOW });
    const outcome = await verifier.receive(request({ id: 'msg_retry' }));
    if (outcome.kind !== 'new') throw new Error('expected a new delivery');
    await outcome.claim?.complete();
    expect(complete).toHaveBeenCalledTimes(2);
    expect((await verifier.receive(request({ id: 'msg_retry' }))).kind).toBe('duplicate');
    await store.close();
  });
});

describe('options that would turn a check off', () => {
  it.each([
    ['replayWindowMs', { replayWindowMs: Number.NaN }],
    ['replayWindowMs', { replayWindowMs: 0 }],
    ['maxHoldMs', { maxHoldMs: 0 }],
    ['leaseMs', { leaseMs: Number.NaN }],
    ['leaseMs', { leaseMs: -1 }],
  ])('refuses a replay %s of %o at construction', (name, replay) => {
    const store = new MemoryReplayStore();
    expect(() => new WebhookVerifier({ scheme, secrets: SECRET, replayStore: store, ...replay })).toThrow(
      new RegExp(`${name} must be a number > 0`),
    );
  });

  it.each([
    ['toleranceMs', Number.NaN],
    ['toleranceMs', -1],
    ['maxSignatures', 0],
    ['maxHeaderLength', Number.POSITIVE_INFINITY],
  ])('refuses %s %s at construction', (name, value) => {
    expect(() => new WebhookVerifier({ scheme, secrets: SECRET, replayStore: false, [name]: value })).toThrow(
      RangeError,
    );
  });

  it('still takes toleranceMs 0, which turns the freshness check off as documented', () => {
    expect(
      () => new WebhookVerifier({ scheme, secrets: SECRET, replayStore: false, toleranceMs: 0 }),
    ).not.toThrow();
  });
});

describe('the verified event', () => {
  it('shows neither the signature nor the raw bytes when logged or serialised', async () => {
    const verifier = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: false, clock: () => NOW });
    const sent = request({ id: 'msg_logged' });
    const event = eventOf(await verifier.receive(sent));
    const signature = sent.headers['webhook-signature']!.slice(3);
    const { inspect } = await import('node:util');
    expect(inspect(event, { depth: 5 })).not.toContain(signature);
    expect(JSON.stringify(event)).not.toContain(signature);
    expect(JSON.parse(JSON.stringify(event))).toMatchObject({ id: 'msg_logged', type: 'order.created' });
  });

  it('says which of its fields the signature covers', async () => {
    const verifier = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: false, clock: () => NOW });
    const typed = eventOf(await verifier.receive(request({ id: 'msg_typed' })));
    expect(typed.signed).toEqual({ id: true, type: true, timestamp: true, body: true });
    const untyped = eventOf(await verifier.receive(request({ id: 'msg_untyped', body: '{"n":1}' })));
    expect(untyped.type).toBeUndefined();
    expect(untyped.signed).toEqual({ id: true, type: false, timestamp: true, body: true });
  });

  it('takes the type from a JSON body only: the content type is not signed', async () => {
    // A scheme that reads its payload by the content type (Standard Webhooks itself is JSON-only).
    const byContentType = { ...scheme, payloadFormat: undefined };
    const verifier = new WebhookVerifier({
      scheme: byContentType,
      secrets: SECRET,
      replayStore: false,
      clock: () => NOW,
    });
    // Signed JSON that, read as a form, would carry a field named type.
    const sent = request({ id: 'msg_form', body: '{"note":"a&type=refund.approved"}' });
    const event = eventOf(
      await verifier.receive({
        ...sent,
        headers: { ...sent.headers, 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(event.payload).toHaveProperty('type', 'refund.approved"}');
    expect(event.type).toBeUndefined();
    expect(event.signed.type).toBe(false);
    // The JSON-only scheme reads the same bytes as JSON whatever the content type says.
    const jsonOnly = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: false, clock: () => NOW });
    const json = eventOf(
      await jsonOnly.receive({
        ...sent,
        headers: { ...sent.headers, 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(json.payload).toEqual({ note: 'a&type=refund.approved' });
    expect(json.type).toBeUndefined();
  });
});

describe('empty or mis-encoded secrets (fail closed)', () => {
  it('refuses an empty key for every scheme: with it anyone could sign', async () => {
    const { createHmac } = await import('node:crypto');
    const { github, hmac: hmacScheme } = await import('../index.js');
    const body = '{"forged":true}';
    const forgedMac = createHmac('sha256', Buffer.alloc(0)).update(body).digest('hex'); // HMAC with an empty key
    const cases = [
      { target: github(), headers: { 'x-hub-signature-256': `sha256=${forgedMac}` } },
      { target: hmacScheme({ signatureHeader: 'x-sig' }), headers: { 'x-sig': forgedMac } },
    ];
    for (const { target, headers } of cases) {
      const verifier = new WebhookVerifier({
        scheme: target,
        secrets: { value: Buffer.alloc(0) },
        replayStore: false,
      });
      await expect(verifier.receive({ headers, rawBody: Buffer.from(body) })).rejects.toMatchObject({
        reason: 'invalid_secret',
      });
    }
  });

  it('decodes hex and base64 secrets strictly instead of silently shortening them', async () => {
    const { hmac: hmacScheme } = await import('../index.js');
    const hex = hmacScheme({ signatureHeader: 'x-sig', secretEncoding: 'hex' });
    expect(() => hex.importKey('0xdeadbeef')).toThrow(/not valid hex/);
    expect(() => hex.importKey('deadbeefXYZ0')).toThrow(/not valid hex/);
    expect(hex.importKey('deadbeef').length).toBe(4);
    const base64 = hmacScheme({ signatureHeader: 'x-sig', secretEncoding: 'base64' });
    expect(() => base64.importKey('!!!!')).toThrow(/not valid base64/);
  });

  it('reports an empty secret as a boot error', async () => {
    const { checkSecrets, github, staticSecret } = await import('../index.js');
    const report = checkSecrets(github(), staticSecret({ value: Buffer.alloc(0) }), 'github');
    expect(report.errors.join()).toMatch(/is unusable|is empty/);
  });

  it('refuses to build the Express middleware on an unusable secret', async () => {
    const { verifiedWebhook } = await import('../express/index.js');
    expect(() => verifiedWebhook({ scheme: 'github', secrets: { value: Buffer.alloc(0) } })).toThrow(
      /unusable/,
    );
  });
});

describe('tenants', () => {
  it('keys replays on the tenant the resolver names, so a loose lookup cannot replay a delivery as new', async () => {
    const store = new MemoryReplayStore();
    // A case-insensitive lookup, as a database collation would do it.
    const verifier = new WebhookVerifier({
      scheme,
      secrets: ({ tenant }) => ({ tenant: tenant!.trim().toLowerCase(), secrets: SECRET }),
      replayStore: store,
      clock: () => NOW,
    });
    const first = await verifier.receive({ ...request({ id: 'msg_tenant' }), tenant: 'acme' });
    if (first.kind !== 'new') throw new Error('expected a new delivery');
    expect(first.event.tenant).toBe('acme');
    await first.claim?.complete();
    for (const spelling of ['ACME', 'Acme', 'acme ']) {
      const replayed = await verifier.receive({ ...request({ id: 'msg_tenant' }), tenant: spelling });
      expect(replayed.kind).toBe('duplicate');
    }
    await store.close();
  });

  it('keys a tenant route whose resolver names no tenant on the secrets, not on the raw route parameter', async () => {
    const store = new MemoryReplayStore();
    // One secret for every tenant: the tenant parameter proves nothing about who signed.
    const verifier = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: store, clock: () => NOW });
    const first = await verifier.receive({ ...request({ id: 'msg_shared' }), tenant: 'acme' });
    if (first.kind !== 'new') throw new Error('expected a new delivery');
    await first.claim?.complete();
    for (const tenant of ['ACME', 'evil', 'anything']) {
      expect((await verifier.receive({ ...request({ id: 'msg_shared' }), tenant })).kind).toBe('duplicate');
    }
    // Tenants with secrets of their own keep apart (secretsByTenant names them).
    const { secretsByTenant } = await import('../secrets/secret-resolvers.js');
    const perTenant = new WebhookVerifier({
      scheme,
      secrets: secretsByTenant({ acme: SECRET, globex: SECRET }),
      replayStore: store,
      clock: () => NOW,
    });
    const acme = await perTenant.receive({ ...request({ id: 'msg_apart' }), tenant: 'acme' });
    if (acme.kind !== 'new') throw new Error('expected a new delivery');
    await acme.claim?.complete();
    expect((await perTenant.receive({ ...request({ id: 'msg_apart' }), tenant: 'globex' })).kind).toBe('new');
    await store.close();
  });

  it('checks an unknown endpoint against a decoy key, so it costs what a wrong signature does', async () => {
    const verify = vi.spyOn(scheme, 'verify');
    const unknown = new WebhookVerifier({
      scheme,
      secrets: () => undefined,
      replayStore: false,
      clock: () => NOW,
    });
    expect(await reasonOf(unknown.verify(request()))).toBe('unknown_endpoint');
    expect(verify).toHaveBeenCalledTimes(1);
    verify.mockRestore();
  });
});

describe('the lease while a handler runs', () => {
  it('is renewed while the claim is held, so a slow handler does not let a replay run beside it', async () => {
    const store = new MemoryReplayStore();
    const verifier = new WebhookVerifier({ scheme, secrets: SECRET, replayStore: store, leaseMs: 60 });
    const first = await verifier.receive(request({ id: 'msg_slow', at: Date.now() }));
    if (first.kind !== 'new') throw new Error('expected a new delivery');
    await new Promise((resolve) => setTimeout(resolve, 250)); // four leases
    expect(await reasonOf(verifier.receive(request({ id: 'msg_slow', at: Date.now() })))).toBe(
      'replay_in_flight',
    );
    await first.claim?.complete();
    expect((await verifier.receive(request({ id: 'msg_slow', at: Date.now() }))).kind).toBe('duplicate');
    await store.close();
  });

  it('stops being renewed after maxHoldMs, and a completion after the lease ran out is reported', async () => {
    const store = new MemoryReplayStore();
    const onWarning = vi.fn();
    const verifier = new WebhookVerifier({
      scheme,
      secrets: SECRET,
      replayStore: store,
      leaseMs: 30,
      maxHoldMs: 60,
      onWarning,
    });
    const first = await verifier.receive(request({ id: 'msg_stuck', at: Date.now() }));
    if (first.kind !== 'new') throw new Error('expected a new delivery');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The lease lapsed: the sender's retry is processed...
    const retry = await verifier.receive(request({ id: 'msg_stuck', at: Date.now() }));
    expect(retry.kind).toBe('new');
    // ... and the stuck handler's late completion writes nothing over it, and says so.
    await first.claim?.complete();
    expect(onWarning).toHaveBeenCalledWith(expect.stringMatching(/after its lease ran out/));
    expect(await reasonOf(verifier.receive(request({ id: 'msg_stuck', at: Date.now() })))).toBe(
      'replay_in_flight',
    );
    await store.close();
  });
});
