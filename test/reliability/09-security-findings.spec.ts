import { createHmac, generateKeyPairSync, randomUUID, sign as ed25519Sign } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import type { Request, Response } from 'express';
import { inject } from 'vitest';
import type { BoxParsed, ReplayStore, VerifiedWebhookEvent } from '@verified-webhooks/core';
import {
  box,
  hmac,
  MemoryReplayStore,
  RedisReplayStore,
  secretsByTenant,
  twilio,
} from '@verified-webhooks/core';
import type {
  VerifiedWebhookMiddlewareOptions,
  WebhookExpressRequest,
} from '@verified-webhooks/core/express';
import { verifiedWebhook } from '@verified-webhooks/core/express';
import { VerifiedWebhook, WebhookEvent, WebhooksModule } from '@verified-webhooks/nestjs';
import { SAMPLE_ENDPOINTS } from '../../sample-app/src/sample-endpoints.js';
import { SampleProcess } from '../support/sample-process.js';
import { reportScenario, secretOf, standardDelivery } from './reliability-kit.js';

/**
 * One regression test per finding of the security review, each an attack over HTTP on a real server
 * on 127.0.0.1 (the Express middleware, a Nest app, the built sample app), reported as a 9.N row.
 * "before" figures are from 5788b7a (the commit before the fixes); ms figures from npm run bench:forged.
 */

const MIB = 1024 * 1024;
const FORM = 'application/x-www-form-urlencoded';
const TWILIO_TOKEN = 'twilio-auth-token-0123456789abcdef';
const SIGNED_URL = 'https://hooks.example.com/twilio';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request with node:http: any Host header, repeated headers as arrays. */
function send(
  base: string,
  path: string,
  headers: Record<string, string | string[]>,
  body: string | Buffer = '',
): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method: 'POST', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Served {
  readonly url: string;
  close(): Promise<void>;
}

async function serve(app: express.Express): Promise<Served> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The middleware with a replay store (and a lease) of the test's choosing. */
const guard = (
  options: VerifiedWebhookMiddlewareOptions,
  replayStore: ReplayStore,
  extra: { leaseMs?: number; keyPrefix?: string } = {},
) => verifiedWebhook({ ...options, replayStore, ...extra });

type Middleware = ReturnType<typeof verifiedWebhook>;

/** An Express server whose routes (path → middleware) record what they processed and answer 200. */
async function serveRoutes(
  routes: Record<string, Middleware>,
): Promise<Served & { processed: VerifiedWebhookEvent[] }> {
  const processed: VerifiedWebhookEvent[] = [];
  const app = express();
  for (const [path, middleware] of Object.entries(routes)) {
    app.post(path, middleware, (req: Request, res: Response) => {
      const event = (req as WebhookExpressRequest).webhook!;
      processed.push(event);
      res.json({ received: event.id ?? null });
    });
  }
  return { processed, ...(await serve(app)) };
}

/** POST /tenants/:tenant, Standard Webhooks, the tenant named by the route. */
const serveTenants = (options: Pick<VerifiedWebhookMiddlewareOptions, 'secrets' | 'logger'>) =>
  serveRoutes({
    '/tenants/:tenant': guard(
      { scheme: 'standard-webhooks', tenantParam: 'tenant', ...options },
      new MemoryReplayStore(),
    ),
  });

type Row = Parameters<typeof reportScenario>[0];

/** A row for forged requests only: whatever was processed is a false accept. */
const reportForged = (row: Pick<Row, 'scenario' | 'load' | 'faults' | 'notes'>, processed: number) =>
  reportScenario({ ...row, processed, duplicated: 0, lost: 0, falseAccepts: processed, crashes: 0 });

const isDuplicate = (reply: Reply) => reply.status === 200 && JSON.parse(reply.body).duplicate === true;
const errorOf = (reply: Reply) => (JSON.parse(reply.body) as { error?: string }).error;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How often, and up to which byte, buffers of at least `minLength` bytes are decoded while `run` runs. */
async function decodedOf<T>(minLength: number, run: () => Promise<T>) {
  const toString = vi.spyOn(Buffer.prototype, 'toString');
  try {
    const result = await run();
    const big = toString.mock.calls.flatMap((call, index) => {
      const buffer = toString.mock.contexts[index] as Buffer;
      return buffer.length >= minLength
        ? [{ length: buffer.length, end: Number(call[2] ?? buffer.length) }]
        : [];
    });
    return { result, calls: big.length, maxEnd: Math.max(0, ...big.map((call) => call.end)) };
  } finally {
    toString.mockRestore();
  }
}

describe('9. security findings, end to end', () => {
  it('9.1 Box: a forged 1 MiB body gets no escaped variant; under 64 KiB it is built once per request', async () => {
    const scheme = box();
    const parse = vi.spyOn(scheme, 'parse');
    const verify = vi.spyOn(scheme, 'verify');
    const secrets = ['box-primary-key-0123456789', 'box-secondary-key-01234567'];
    const server = await serveRoutes({ '/box': guard({ scheme, secrets }, new MemoryReplayStore()) });
    const processed = server.processed;
    const forged = (body: Buffer) =>
      send(
        server.url,
        '/box',
        {
          'content-type': 'application/json',
          'box-delivery-timestamp': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          'box-signature-algorithm': 'HmacSHA256',
          'box-signature-version': '1',
          'box-signature-primary': Buffer.alloc(32, 1).toString('base64'),
          'box-signature-secondary': Buffer.alloc(32, 2).toString('base64'),
        },
        body,
      );
    /** `{"n":"<unit>…"}` of exactly `bytes` bytes. */
    const bodyOf = (unit: string, bytes: number) =>
      Buffer.from(`{"n":"${unit.repeat((bytes - 8) / Buffer.byteLength(unit))}"}`);
    try {
      const statuses: number[] = [];
      for (const unit of ['\u007f', 'é', '/']) {
        parse.mockClear();
        verify.mockClear();
        // What the old code did per key: decode and re-escape the whole body.
        const { result, calls } = await decodedOf(64 * 1024 + 1, () => forged(bodyOf(unit, MIB)));
        statuses.push(result.status);
        expect(result.status).toBe(401);
        expect(calls).toBe(0);
        expect(parse).toHaveBeenCalledTimes(1);
        expect((parse.mock.results[0]!.value as BoxParsed).escapedBody).toBeUndefined();
        expect(verify).toHaveBeenCalledTimes(2); // one per key
      }
      // Under the cap the variant is built once, in parse(), and both keys check that one buffer.
      parse.mockClear();
      verify.mockClear();
      expect((await forged(bodyOf('é', 60 * 1024))).status).toBe(401);
      expect(parse).toHaveBeenCalledTimes(1);
      const parsed = parse.mock.results[0]!.value as BoxParsed;
      expect(parsed.escapedBody?.length).toBeGreaterThan(60 * 1024);
      expect(verify.mock.calls.map((call) => call[0])).toEqual([parsed, parsed]);
      expect(processed).toHaveLength(0);
      reportForged(
        {
          scenario: '9.1 Box escaped variant before auth',
          load: '3 forged 1 MiB Box bodies (U+007F, é, /) and 1 of 60 KiB, 2 keys, Express middleware',
          faults: 'forged Box signatures over bodies of the characters the SDK escaping expands most',
          notes:
            'before (5788b7a): the whole 1 MiB body was decoded and escaped once per key (2 decodes per request here), uncapped: 411 ms per forged request (2 keys); ' +
            `after: ${statuses.join('/')}, no escaped variant over 64 KiB, built once in parse() under it; ~1.3 ms per forged request (npm run bench:forged)`,
        },
        processed.length,
      );
    } finally {
      await server.close();
    }
  });

  describe('9.2 Twilio behind a proxy (Nest app, trustProxyHeaders)', () => {
    const evictions: number[] = [];
    const store = new MemoryReplayStore({ maxEntries: 50, onEvict: (n) => evictions.push(n) });
    const processed: string[] = [];

    @Controller()
    class TwilioController {
      @Post('twilio')
      @HttpCode(200)
      @VerifiedWebhook({ scheme: 'twilio' })
      receive(@WebhookEvent() event: VerifiedWebhookEvent) {
        processed.push(new URLSearchParams(event.rawBody.toString()).get('CallSid') ?? '');
        return { received: true };
      }
    }

    @Module({
      imports: [
        WebhooksModule.forRoot({ secrets: TWILIO_TOKEN, replayStore: store, trustProxyHeaders: true }),
      ],
      controllers: [TwilioController],
    })
    class TwilioModule {}

    let app: INestApplication;
    let url: string;
    beforeAll(async () => {
      app = await NestFactory.create(TwilioModule, { rawBody: true, logger: false });
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    });
    afterAll(async () => {
      await app.close();
      await store.close();
    });

    const delivery = (callSid: string) => {
      const body = `CallSid=${callSid}&From=%2B15005550006`;
      return { body, headers: { ...twilio().sign({ secret: TWILIO_TOKEN, body, url: SIGNED_URL }) } };
    };
    const deliver = (signed: ReturnType<typeof delivery>, headers: Record<string, string | string[]>) =>
      send(url, '/twilio', { ...signed.headers, 'content-type': FORM, ...headers }, signed.body);

    it('one captured delivery replayed on 250 ports is processed once, and evicts nothing', async () => {
      const others = Array.from({ length: 10 }, (_, n) => delivery(`CA-other-${n}`));
      for (const other of others) {
        expect((await deliver(other, { 'x-forwarded-host': 'hooks.example.com' })).status).toBe(200);
      }
      const captured = delivery('CA-captured');
      const replies: Reply[] = [];
      for (let port = 8000; port < 8250; port++) {
        replies.push(await deliver(captured, { 'x-forwarded-host': `hooks.example.com:${port}` }));
      }
      const duplicates = replies.filter(isDuplicate).length;
      const accepted = replies.filter((reply) => reply.status === 200 && !isDuplicate(reply)).length;
      const othersAgain = await Promise.all(
        others.map((other) => deliver(other, { 'x-forwarded-host': 'hooks.example.com' })),
      );
      const stillProtected = othersAgain.filter(isDuplicate).length;
      reportScenario({
        scenario: '9.2 Twilio replay on forwarded ports',
        load: '1 captured Twilio delivery replayed with 250 X-Forwarded-Host ports; 10 other deliveries; memory store maxEntries 50',
        faults:
          'X-Forwarded-Host hooks.example.com:8000 … :8249 on one signed delivery (Twilio tries the URL without its port)',
        processed: Math.min(accepted, 1),
        duplicated: accepted > 1 ? 1 : 0,
        lost: 0,
        falseAccepts: Math.max(0, accepted - 1) + (others.length - stillProtected),
        crashes: 0,
        notes:
          'before (5788b7a, this test): 250 processed, 0 duplicates; the flood evicted the 10 other deliveries (0/10 still duplicates, onEvict once); the first X-Forwarded-Host entry and Host were used; ' +
          `after: ${accepted} processed, ${duplicates} duplicates (key: the canonical URL the signature matched), ` +
          `${stillProtected}/10 other deliveries still duplicates, onEvict calls: ${evictions.length}; last X-Forwarded-Host entry used, Host only with trustHostHeader`,
      });
      expect(accepted).toBe(1);
      expect(duplicates).toBe(249);
      expect(processed.filter((sid) => sid === 'CA-captured')).toHaveLength(1);
      expect(stillProtected).toBe(10);
      expect(evictions).toEqual([]);
      expect(store.size).toBeLessThanOrEqual(50);
    });

    it('uses the last (proxy-added) X-Forwarded-Host entry, and never the Host header', async () => {
      // The client's own entry comes first; the proxy appends the host it was reached on.
      expect(
        (await deliver(delivery('CA-last-1'), { 'x-forwarded-host': 'evil.example, hooks.example.com' }))
          .status,
      ).toBe(200);
      expect(
        (await deliver(delivery('CA-last-2'), { 'x-forwarded-host': ['evil.example', 'hooks.example.com'] }))
          .status,
      ).toBe(200);
      const spoofed = await deliver(delivery('CA-first'), {
        'x-forwarded-host': 'hooks.example.com, evil.example',
      });
      expect(spoofed.status).toBe(401);
      // No X-Forwarded-Host: the client-chosen Host is not the signed URL without trustHostHeader.
      const byHost = await deliver(delivery('CA-host'), { host: 'hooks.example.com' });
      expect(byHost.status).toBe(500);
      expect(errorOf(byHost)).toBe('missing_public_url');
      expect(processed).toEqual(expect.arrayContaining(['CA-last-1', 'CA-last-2']));
      expect(processed).not.toContain('CA-first');
      expect(processed).not.toContain('CA-host');
    });

    it('uses Host with trustHostHeader (Express middleware)', async () => {
      const server = await serveRoutes({
        '/twilio': guard(
          { scheme: 'twilio', secrets: TWILIO_TOKEN, trustProxyHeaders: true, trustHostHeader: true },
          new MemoryReplayStore(),
        ),
      });
      try {
        const signed = delivery('CA-trusted-host');
        const reply = await send(
          server.url,
          '/twilio',
          { ...signed.headers, 'content-type': FORM, host: 'hooks.example.com' },
          signed.body,
        );
        expect(reply.status).toBe(200);
        expect(server.processed).toHaveLength(1);
      } finally {
        await server.close();
      }
    });
  });

  describe.each(['memory', 'redis'] as const)('9.3 a handler that outlives leaseMs (%s store)', (kind) => {
    let store: MemoryReplayStore | RedisReplayStore;
    beforeAll(async () => {
      store =
        kind === 'memory' ? new MemoryReplayStore() : await RedisReplayStore.fromUrl(inject('redisUrl'));
    });
    afterAll(() => store.close());

    it('keeps its claim: the replay gets 409 while it runs and a duplicate answer after', async () => {
      const secret = secretOf(91);
      const processed: string[] = [];
      let runs = 0;
      let entered!: () => void;
      const inHandler = new Promise<void>((resolve) => (entered = resolve));
      let finish!: () => void;
      const gate = new Promise<void>((resolve) => (finish = resolve));
      const app = express();
      app.post(
        '/hook',
        guard({ scheme: 'standard-webhooks', secrets: secret }, store, {
          leaseMs: 200,
          keyPrefix: `vw-09-${randomUUID()}:`,
        }),
        async (req: Request, res: Response) => {
          // The first run works for ~600 ms, three leases (renewed every 67 ms: 100 ms would leave too
          // little for a slow Redis round trip). A replay let in beside it answers at once.
          if (runs++ === 0) {
            entered();
            await gate;
          }
          processed.push((req as WebhookExpressRequest).webhook!.id!);
          res.json({ ok: true });
        },
      );
      const server = await serve(app);
      try {
        const signed = standardDelivery(secret);
        const first = send(server.url, '/hook', signed.headers, signed.body);
        await inHandler;
        const during: Reply[] = [];
        for (const wait of [300, 300]) {
          await sleep(wait); // past the lease: only a renewed claim still holds
          during.push(await send(server.url, '/hook', signed.headers, signed.body));
        }
        finish();
        expect((await first).status).toBe(200);
        const after = await send(server.url, '/hook', signed.headers, signed.body);
        reportScenario({
          scenario: `9.3 lease renewal, slow handler (${kind} store)`,
          load: '1 delivery, handler ~600 ms, leaseMs 200; 2 replays while it runs, 1 after',
          faults: 'the sender retries while the handler is still running, after the lease would have run out',
          processed: processed.length,
          duplicated: processed.length > 1 ? 1 : 0,
          lost: processed.length === 0 ? 1 : 0,
          falseAccepts: Math.max(0, processed.length - 1),
          crashes: 0,
          notes:
            'before (5788b7a, this test): the lease ran out under the handler; both replays while it ran were answered 200 and ran beside it (processed twice); ' +
            `after: replays while running ${during.map((reply) => reply.status).join('/')} (Retry-After ${during[0]?.headers['retry-after']}), after: ${isDuplicate(after) ? 'duplicate' : after.status}`,
        });
        expect(during.map((reply) => reply.status)).toEqual([409, 409]);
        expect(during[0]!.headers['retry-after']).toMatch(/^\d+$/);
        expect(isDuplicate(after)).toBe(true);
        expect(processed).toEqual([signed.id]);
      } finally {
        finish();
        await server.close();
      }
    });
  });

  it('9.4 tenants: a normalising resolver names the tenant, so ACME, Acme and "acme " replay as duplicates', async () => {
    const acme = secretOf(94);
    const table: Record<string, string> = { acme };
    const server = await serveTenants({
      secrets: ({ tenant }) => {
        const name = (tenant ?? '').trim().toLowerCase();
        return { tenant: name, secrets: table[name] };
      },
    });
    const processed = server.processed;
    try {
      const signed = standardDelivery(acme);
      const paths = ['acme', 'ACME', 'Acme', 'acme%20'];
      const replies: Reply[] = [];
      for (const path of paths)
        replies.push(await send(server.url, `/tenants/${path}`, signed.headers, signed.body));
      const duplicates = replies.filter(isDuplicate).length;
      reportScenario({
        scenario: '9.4 tenant spellings replay as new',
        load: '1 delivery for tenant acme, posted to /tenants/acme, /ACME, /Acme, /acme%20',
        faults:
          'the same signed delivery replayed under other spellings of the tenant a lenient resolver accepts',
        processed: processed.length,
        duplicated: processed.length > 1 ? 1 : 0,
        lost: 0,
        falseAccepts: Math.max(0, processed.length - 1),
        crashes: 0,
        notes:
          'before (5788b7a, this test): the replay key held the route parameter, so each spelling was a new delivery (4 processed, 0 duplicates); ' +
          `after: ${processed.length} processed, ${duplicates} duplicates, event.tenant "${processed[0]?.tenant}" (the resolver's name keys replays)`,
      });
      expect(replies.every((reply) => reply.status === 200)).toBe(true);
      expect(processed).toHaveLength(1);
      expect(processed[0]!.tenant).toBe('acme');
      expect(duplicates).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('9.5 hmac(): a template with {id} next to {body} is refused when built; with a separator, no split verifies', async () => {
    const secret = 'hmac-findings-secret-0123456789abcdef';
    const build = (signedContent: string) =>
      verifiedWebhook({
        scheme: hmac({ signatureHeader: 'x-sig', idHeader: 'x-id', signedContent }),
        secrets: secret,
        replayStore: new MemoryReplayStore(),
      });
    let refusal = '';
    try {
      build('{id}{body}');
    } catch (error) {
      refusal = String(error);
    }
    expect(refusal).toMatch(/puts \{id\} directly next to \{body\}.*separator.*"\{id\}\.\{body\}"/);

    // The attack on the template the message proposes: move characters between the id and the body.
    const server = await serveRoutes({ '/hmac': build('{id}.{body}') });
    const processed = server.processed;
    try {
      const id = 'evt_12345';
      const body = '{"amount":100}';
      const signature = createHmac('sha256', secret).update(`${id}.${body}`).digest('hex');
      const post = (sentId: string, sentBody: string) =>
        send(
          server.url,
          '/hmac',
          { 'x-sig': signature, 'x-id': sentId, 'content-type': 'application/json' },
          sentBody,
        );
      expect((await post(id, body)).status).toBe(200);
      const shifted: [string, string][] = [];
      for (let k = 1; k <= 4; k++) {
        shifted.push([id + body.slice(0, k), body.slice(k)], [id.slice(0, -k), id.slice(-k) + body]);
      }
      shifted.push([`${id}.${body.slice(0, 3)}`, body.slice(3)]);
      const replies = await Promise.all(shifted.map(([sentId, sentBody]) => post(sentId, sentBody)));
      const accepted = replies.filter((reply) => reply.status < 300).length;
      reportScenario({
        scenario: '9.5 hmac {id}{body} template',
        load: `1 signed delivery, ${shifted.length} re-splits of its signed bytes between x-id and the body`,
        faults:
          'one signature, characters moved between the id and the body (each a "new" delivery under {id}{body})',
        processed: processed.length,
        duplicated: 0,
        lost: 0,
        falseAccepts: accepted,
        crashes: 0,
        notes:
          'before (5788b7a): hmac({ signedContent: "{id}{body}" }) was built; every re-split of one signed delivery verified and was keyed as new; ' +
          `after: building it throws ("puts {id} directly next to {body} … e.g. "{id}.{body}""); with {id}.{body}: re-splits ${replies.map((reply) => reply.status).join('/')}`,
      });
      expect(accepted).toBe(0);
      expect(processed).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('9.6 tenant enumeration: an unknown tenant is answered byte for byte as a wrong signature, its warning rate-limited', async () => {
    const warn = vi.fn<(message: string) => void>();
    const error = vi.fn<(message: string) => void>();
    const server = await serveTenants({
      secrets: secretsByTenant({ acme: secretOf(96) }),
      logger: { warn, error },
    });
    const processed = server.processed;
    try {
      const forged = standardDelivery(secretOf(7)); // signed with a key nobody configured
      const answerOf = (reply: Reply) =>
        JSON.stringify([
          reply.status,
          reply.headers['content-type'],
          reply.headers['content-length'],
          reply.body,
        ]);
      const wrongSignature = await send(server.url, '/tenants/acme', forged.headers, forged.body);
      expect(wrongSignature.status).toBe(401);
      const probes: Reply[] = [];
      for (let n = 0; n < 20; n++) {
        probes.push(await send(server.url, `/tenants/probe-${n}`, forged.headers, forged.body));
      }
      const distinct = new Set(probes.map(answerOf)).add(answerOf(wrongSignature));
      const lines = [...warn.mock.calls, ...error.mock.calls].map(([line]) => line);
      reportForged(
        {
          scenario: '9.6 tenant enumeration',
          load: '20 probes of unknown tenants, 1 wrong signature for a known tenant',
          faults: 'an attacker tells existing tenants from unknown ones by the answer, and floods the log',
          notes:
            'before (5788b7a, this test): 2 distinct answers (unknown_endpoint with its own message), 20 log lines for 20 probes; ' +
            `after: ${distinct.size} distinct answer (status, type, length, body: ${wrongSignature.body}), ${lines.length} log line for 20 probes`,
        },
        processed.length,
      );
      expect(distinct.size).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('unknown_endpoint');
      expect(processed).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('9.7 eviction storms: every storm is reported through onEvict, at most once a second', async () => {
    let skew = 0;
    const evictions: number[] = [];
    const store = new MemoryReplayStore({
      maxEntries: 5,
      onEvict: (n) => evictions.push(n),
      now: () => Date.now() + skew,
    });
    const secret = secretOf(97);
    const server = await serveRoutes({
      '/hook': guard({ scheme: 'standard-webhooks', secrets: secret }, store),
    });
    const processed = server.processed;
    const deliver = async () => {
      const signed = standardDelivery(secret);
      expect((await send(server.url, '/hook', signed.headers, signed.body)).status).toBe(200);
    };
    try {
      for (let n = 0; n < 6; n++) await deliver();
      expect(evictions).toEqual([1]); // the first eviction of a storm is reported at once
      for (let n = 6; n < 20; n++) await deliver();
      expect(evictions).toEqual([1]); // the rest of this second's storm is held back, not dropped
      skew += 1_000; // a second later (the store's clock), a second storm
      await deliver();
      reportScenario({
        scenario: '9.7 memory store eviction storms',
        load: '20 distinct valid deliveries into a memory store of maxEntries 5, then 1 more a second later',
        faults:
          'a flood of valid deliveries that forces unexpired entries out (each evicted one could be replayed)',
        processed: processed.length,
        duplicated: 0,
        lost: 0,
        falseAccepts: 0,
        crashes: 0,
        notes:
          'before (5788b7a, this test): onEvict(1) once per store lifetime, the second storm unreported; ' +
          `after: onEvict(${evictions.join('), onEvict(')}): ${evictions.reduce((a, b) => a + b, 0)} evictions of 21 - 5, every storm reported`,
      });
      expect(evictions).toEqual([1, 15]);
      expect(processed).toHaveLength(21);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('9.8 forms and ed25519 before auth: 1 MiB forms stop at the parameter cap, 16 v1a entries are refused', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const whpk = `whpk_${publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64')}`;
    const store = new MemoryReplayStore();
    const server = await serveRoutes({
      '/twilio': guard(
        { scheme: 'twilio', secrets: TWILIO_TOKEN, publicBaseUrl: 'https://hooks.example.com' },
        store,
      ),
      '/mailgun': guard({ scheme: 'mailgun', secrets: 'mailgun-signing-key-0123456789abcdef' }, store),
      '/standard': guard({ scheme: 'standard-webhooks', secrets: whpk }, store),
    });
    const processed = server.processed;
    try {
      const form = Buffer.from('a=1&'.repeat(MIB / 4));
      const forms = await decodedOf(MIB, async () => [
        await send(
          server.url,
          '/twilio',
          { 'content-type': FORM, 'x-twilio-signature': Buffer.alloc(20, 1).toString('base64') },
          form,
        ),
        await send(server.url, '/mailgun', { 'content-type': FORM }, form),
      ]);
      const [twilioReply, mailgunReply] = forms.result;
      const notForm = await send(
        server.url,
        '/twilio',
        { 'content-type': 'text/plain', 'x-twilio-signature': Buffer.alloc(20, 1).toString('base64') },
        form,
      );

      const id = `msg_${randomUUID()}`;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const body = JSON.stringify({ type: 'ping', pad: 'x'.repeat(MIB - 100) });
      const genuine = `v1a,${ed25519Sign(null, Buffer.from(`${id}.${timestamp}.${body}`), privateKey).toString('base64')}`;
      const other = generateKeyPairSync('ed25519').privateKey;
      const forgedEntry = () =>
        `v1a,${ed25519Sign(null, Buffer.from(randomUUID()), other).toString('base64')}`;
      const standard = (entries: string[]) =>
        send(
          server.url,
          '/standard',
          {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': timestamp,
            'webhook-signature': entries.join(' '),
          },
          body,
        );
      const sixteen = await standard(Array.from({ length: 16 }, forgedEntry));
      const two = await standard([forgedEntry(), genuine]); // a rotation's two entries still verify
      reportScenario({
        scenario: '9.8 forms and ed25519 before auth',
        load: '1 MiB Twilio and Mailgun forms of a=1 pairs, a 1 MiB non-form Twilio body, 1 MiB Standard Webhooks bodies with 16 and 2 v1a entries',
        faults: 'forged requests whose parsing or ed25519 checks cost work before authentication',
        processed: processed.length,
        duplicated: 0,
        lost: 0,
        falseAccepts: processed.filter((event) => event.id !== id).length,
        crashes: 0,
        notes:
          'before (5788b7a): forms decoded to byte 1048576 of 1 MiB, mailgun 401 after the whole form, 16 v1a 401 signature_mismatch after 16 ed25519 checks; twilio 12.75 ms, mailgun 13.12 ms, 16 v1a 23.04 ms per forged request; ' +
          `after: twilio ${twilioReply!.status} ${errorOf(twilioReply!)}, mailgun ${mailgunReply!.status} ${errorOf(mailgunReply!)}, ` +
          `decoded up to byte ${forms.maxEnd} of 1 MiB; twilio text/plain ${notForm.status}; 16 v1a ${sixteen.status} ${errorOf(sixteen)}; ` +
          '2 v1a with a genuine one 200; npm run bench:forged: twilio 0.31 ms, mailgun 0.19 ms, 16 v1a 0.02 ms',
      });
      expect([twilioReply!.status, errorOf(twilioReply!)]).toEqual([413, 'body_too_large']);
      expect([mailgunReply!.status, errorOf(mailgunReply!)]).toEqual([413, 'body_too_large']);
      expect(forms.calls).toBeGreaterThan(0);
      expect(forms.maxEnd).toBeLessThan(4_000);
      expect([notForm.status, errorOf(notForm)]).toEqual([400, 'malformed_header']);
      expect([sixteen.status, errorOf(sixteen)]).toEqual([400, 'too_many_signatures']);
      expect(two.status).toBe(200);
      expect(processed.map((event) => event.id)).toEqual([id]);
    } finally {
      await server.close();
      await store.close();
    }
  });

  describe('9.9 the sample app without secrets', () => {
    let sample: SampleProcess | undefined;
    afterAll(() => sample?.stop());

    it('prints its generated development secrets once, in one block marked "Development only"', async () => {
      sample = await SampleProcess.start({});
      // eslint-disable-next-line no-control-regex
      const output = sample.output.map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''));
      const variables = [...SAMPLE_ENDPOINTS.map((endpoint) => endpoint.secretVariable), 'TENANT_SECRETS'];
      const marked = output.flatMap((line, index) => (line.includes('Development only') ? [index] : []));
      expect(marked).toHaveLength(1);
      const block = output.slice(marked[0]! + 1, marked[0]! + 1 + variables.length);
      for (const variable of variables) {
        expect(output.filter((line) => line.includes(`${variable}=`))).toHaveLength(1);
        expect(block.some((line) => line.trim().startsWith(`${variable}=`))).toBe(true);
      }
      // The printed secret is the one the app uses.
      const secret = block
        .find((line) => line.trim().startsWith('STANDARD_WEBHOOK_SECRET='))!
        .trim()
        .split('=')
        .slice(1)
        .join('=');
      const signed = standardDelivery(secret);
      const reply = await send(sample.url, '/webhooks/standard', signed.headers, signed.body);
      const events = (await (await fetch(`${sample.url}/events`)).json()) as { id?: string }[];
      reportScenario({
        scenario: '9.9 sample app development secrets',
        load: 'the built sample app started with no secret variables; 1 delivery signed with the printed secret',
        faults: 'generated secrets scattered over the log (and unmarked) are copied into a deployment',
        processed: events.filter((event) => event.id === signed.id).length,
        duplicated: 0,
        lost: 0,
        falseAccepts: 0,
        crashes: sample.alive ? 0 : 1,
        notes:
          'before (5788b7a, this test): one warning line per generated secret, none marked development only; ' +
          `after: one block marked "Development only" with ${variables.length} variables, each printed once; the printed secret verifies (${reply.status}); ` +
          'README marks GET /events, /metrics, /health as demonstration endpoints',
      });
      expect(reply.status).toBe(200);
      expect(events.map((event) => event.id)).toContain(signed.id);
    });
  });
});
