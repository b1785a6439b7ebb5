import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import type { Request, Response } from 'express';
import request from 'supertest';
import {
  github,
  MemoryReplayStore,
  meta,
  secretsByEndpoint,
  stripe,
  twilio,
  WebhookDispatcher,
} from '@verified-webhooks/core';
import type { WebhookExpressRequest } from '@verified-webhooks/core/express';
import { verifiedWebhook } from '@verified-webhooks/core/express';
import { sign } from '@verified-webhooks/core/testing';
import { secretOf, standardDelivery } from '../support/deliveries.js';

const SECRET = secretOf(41);
const DROPBOX = 'dropbox-app-secret-0123456789abcdef';
const META = 'meta-app-secret-express-0123456789';
const META_VERIFY_TOKEN = 'meta-verify-token-express-0123';
const TWILIO = 'twilio-auth-token-0123456789abcdef';
const GITHUB = 'github-webhook-secret-0123456789abcdef';
const STRIPE = 'whsec_stripe-webhook-secret-0123456789';

/** A delivery signed by the official standardwebhooks library. */
const delivery = (options: { body?: string; id?: string } = {}) => standardDelivery(SECRET, options);

describe('verifiedWebhook() Express middleware (no Nest)', () => {
  const store = new MemoryReplayStore();
  const processed: { id: string | undefined; body: unknown }[] = [];
  const routed: [string, string | undefined, string][] = [];
  let failNext = false;
  let slow: Promise<void> | undefined;
  let resolverReached: (() => void) | undefined;
  let resolverGate: Promise<void> = Promise.resolve();
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    const guard = verifiedWebhook({
      scheme: 'standard-webhooks',
      secrets: SECRET,
      replayStore: store,
      bodyLimit: 2048,
    });
    const handler = async (req: Request, res: Response) => {
      const event = (req as WebhookExpressRequest).webhook!;
      if (slow) await slow;
      if (failNext) {
        failNext = false;
        throw new Error('database down');
      }
      processed.push({ id: event.id, body: req.body });
      res.json({ received: event.id });
    };
    // Mounted before express.json(): the middleware reads the raw stream itself.
    app.post('/hook', guard, handler);
    // A secret resolver that takes its time (a database): the sender may hang up before the claim.
    const slowSecrets = async () => {
      resolverReached?.();
      await resolverGate;
      return SECRET;
    };
    app.post(
      '/slow-secrets',
      verifiedWebhook({ scheme: 'standard-webhooks', secrets: slowSecrets, replayStore: store }),
      handler,
    );
    // Or after a parser that keeps the bytes: express.raw() ...
    app.post('/raw', express.raw({ type: '*/*' }), guard, handler);
    // A JSON parser that keeps the bytes (it inflates a compressed body first, as body-parser does).
    const keep = (req: WebhookExpressRequest, _res: unknown, buf: Buffer) => void (req.rawBody = buf);
    app.post('/kept', express.json({ verify: keep }), guard, handler);
    // Handlers by event type, run before the route's own handler (which answers).
    const dispatcher = new WebhookDispatcher()
      .on(
        'invoice.paid',
        (event, { idempotencyKey }) => void routed.push(['invoice.paid', event.id, idempotencyKey]),
      )
      .on(
        'invoice.*',
        (event, { idempotencyKey }) => void routed.push(['invoice.*', event.id, idempotencyKey]),
      )
      .on('*', (event, { idempotencyKey }) => {
        if (event.type === 'explode') throw new Error('handler failed');
        routed.push(['*', event.id, idempotencyKey]);
      });
    app.post(
      '/routed',
      verifiedWebhook({ scheme: 'standard-webhooks', secrets: SECRET, dispatcher }),
      (_req, res) => {
        res.json({ routed: true });
      },
    );
    // The same seam as the Nest guard: handshakes, and URLs signed behind a proxy.
    app.get('/dropbox', verifiedWebhook({ scheme: 'dropbox', secrets: DROPBOX }), handler);
    app.get(
      '/meta',
      verifiedWebhook({ scheme: meta({ verifyToken: META_VERIFY_TOKEN }), secrets: META }),
      handler,
    );
    app.post(
      '/twilio',
      verifiedWebhook({ scheme: 'twilio', secrets: TWILIO, trustProxyHeaders: true }),
      (req: Request, res: Response) => {
        processed.push({ id: 'twilio', body: req.body });
        res.type('text/xml').send('<Response/>');
      },
    );
    // Providers that only send JSON: the payload is JSON whatever the (unsigned) content type says.
    const payloadOf = (req: Request, res: Response) =>
      void res.json({ payload: (req as WebhookExpressRequest).webhook!.payload, body: req.body as unknown });
    app.post('/github', verifiedWebhook({ scheme: 'github', secrets: GITHUB }), payloadOf);
    app.post('/stripe', verifiedWebhook({ scheme: 'stripe', secrets: STRIPE }), payloadOf);
    app.use(express.json());
    // ... but after a parser that threw the bytes away, verification is impossible: 500, never a pass.
    app.post('/too-late', guard, handler);
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, signed: ReturnType<typeof delivery>) =>
    request(url).post(path).set(signed.headers).send(signed.body);
  const processedIds = () => processed.map((entry) => entry.id);

  it('verifies the raw bytes, sets req.webhook and req.body, and processes once', async () => {
    const signed = delivery();
    const first = await post('/hook', signed);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: signed.headers['webhook-id'] });
    expect(processed.at(-1)).toEqual({
      id: signed.headers['webhook-id'],
      body: { type: 'invoice.paid', data: { id: signed.headers['webhook-id'] } },
    });
    const again = await post('/hook', signed);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ duplicate: true });
    expect(processedIds().filter((id) => id === signed.headers['webhook-id'])).toHaveLength(1);
  });

  it('refuses a tampered body 401 with a reason code, without running the handler', async () => {
    const signed = delivery();
    const answer = await post('/hook', { ...signed, body: `${signed.body} ` });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ statusCode: 401, error: 'signature_mismatch' });
    expect(JSON.stringify(answer.body)).not.toContain(SECRET);
    expect(processedIds()).not.toContain(signed.headers['webhook-id']);
  });

  it('answers 413 over the body limit', async () => {
    const answer = await post('/hook', delivery({ body: JSON.stringify({ pad: 'x'.repeat(4096) }) }));
    expect(answer.status).toBe(413);
  });

  it('releases the claim when the handler fails (response not 2xx), so the retry is processed', async () => {
    const signed = delivery();
    failNext = true;
    expect((await post('/hook', signed)).status).toBe(500);
    expect(processedIds()).not.toContain(signed.headers['webhook-id']);
    const retry = await post('/hook', signed);
    expect(retry.body).toEqual({ received: signed.headers['webhook-id'] });
  });

  it('answers 409 with Retry-After while the same delivery is in flight', async () => {
    const signed = delivery();
    let finish!: () => void;
    slow = new Promise<void>((resolve) => (finish = resolve));
    const first = post('/hook', signed).then((answer) => answer);
    await vi.waitFor(() => expect(store.size).toBeGreaterThan(0));
    const second = await post('/hook', signed);
    expect(second.status).toBe(409);
    expect(second.headers['retry-after']).toMatch(/^\d+$/);
    slow = undefined;
    finish();
    expect((await first).status).toBe(200);
  });

  it('keeps the claim of a sender that hung up and marks it done when the handler answers after all', async () => {
    const signed = delivery();
    const id = signed.headers['webhook-id'];
    let finish!: () => void;
    slow = new Promise<void>((resolve) => (finish = resolve));
    const { port } = server.address() as AddressInfo;
    const claimsBefore = store.size;
    const abandoned = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/hook' });
    for (const [name, value] of Object.entries(signed.headers)) abandoned.setHeader(name, value);
    abandoned.on('error', () => undefined);
    abandoned.end(signed.body);
    await vi.waitFor(() => expect(store.size).toBeGreaterThan(claimsBefore)); // claimed, handler waiting
    abandoned.destroy(); // the sender's timeout
    const whileRunning = await post('/hook', signed);
    expect(whileRunning.status).toBe(409); // the retry does not run beside the handler
    slow = undefined;
    finish(); // the handler answers 200 to a closed connection
    await vi.waitFor(() => expect(processedIds()).toContain(id));
    const retry = await post('/hook', signed);
    expect(retry.body).toEqual({ duplicate: true });
    expect(processedIds().filter((processedId) => processedId === id)).toHaveLength(1);
  });

  it('settles the claim by the answer when the sender hung up before the claim was even taken', async () => {
    const signed = delivery();
    const id = signed.headers['webhook-id'];
    let openGate!: () => void;
    resolverGate = new Promise<void>((resolve) => (openGate = resolve));
    const reached = new Promise<void>((resolve) => (resolverReached = resolve));
    const { port } = server.address() as AddressInfo;
    const abandoned = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/slow-secrets' });
    for (const [name, value] of Object.entries(signed.headers)) abandoned.setHeader(name, value);
    abandoned.on('error', () => undefined);
    abandoned.end(signed.body);
    await reached;
    abandoned.destroy(); // gone before the verification, let alone the claim
    await new Promise((resolve) => setTimeout(resolve, 50));
    resolverReached = undefined;
    openGate(); // verified, claimed and handled on a closed connection
    await vi.waitFor(() => expect(processedIds()).toContain(id));
    resolverGate = Promise.resolve();
    // Done at once, not held in flight until the lease (and then processed again).
    await vi.waitFor(async () =>
      expect((await post('/slow-secrets', signed)).body).toEqual({ duplicate: true }),
    );
    expect(processedIds().filter((processedId) => processedId === id)).toHaveLength(1);
  });

  it('uses the bytes express.raw() kept', async () => {
    const signed = delivery();
    expect((await post('/raw', signed)).body).toEqual({ received: signed.headers['webhook-id'] });
  });

  it('answers 500 (misconfigured) when express.json() consumed the body first', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const answer = await post('/too-late', delivery());
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ error: 'raw_body_unavailable' });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('express.raw()'));
    error.mockRestore();
  });

  it('refuses to be built with an undefined secret (an unset env var), naming the endpoint', () => {
    const unset = process.env.VW_NEVER_SET_IN_TESTS;
    const app = express();
    expect(() =>
      app.post(
        '/unset',
        verifiedWebhook({ scheme: 'stripe', secrets: secretsByEndpoint({ stripe: unset! }) }),
      ),
    ).toThrow(/secret for endpoint stripe on endpoint stripe is undefined/);
    expect(() => verifiedWebhook({ scheme: 'stripe', secrets: unset! })).toThrow(
      /the secrets option on endpoint stripe is undefined/,
    );
  });

  it.each(['/hook', '/kept', '/raw'])(
    'refuses a gzip body 415 unsupported_content_encoding, never a signature_mismatch nor a pass (%s)',
    async (path) => {
      const signed = delivery();
      const before = processed.length;
      // Signed over the decoded bytes (a parser inflates them and would hand them over) and sent compressed.
      const answer = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...signed.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(signed.body),
      });
      expect(answer.status).toBe(415);
      expect(await answer.json()).toMatchObject({ error: 'unsupported_content_encoding' });
      expect(processed.length).toBe(before);
    },
  );

  const issue = { action: 'opened', issue: { number: 7 } };
  const invoice = { id: 'evt_1', type: 'invoice.paid' };
  it.each([
    {
      what: "GitHub's form mode (payload=<JSON>, signed as sent) as the JSON inside",
      path: '/github',
      signed: sign(github(), {
        secret: GITHUB,
        body: `payload=${encodeURIComponent(JSON.stringify(issue))}`,
        type: 'issues',
      }),
      contentType: 'application/x-www-form-urlencoded',
      json: issue,
    },
    {
      what: 'a Stripe delivery as JSON whatever its content type says',
      path: '/stripe',
      signed: sign(stripe(), { secret: STRIPE, body: JSON.stringify(invoice) }),
      contentType: 'text/plain',
      json: invoice,
    },
  ])('parses $what', async ({ path, signed, contentType, json }) => {
    const answer = await request(url)
      .post(path)
      .set({ ...signed.headers, 'content-type': contentType })
      .send(signed.body);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ payload: json, body: json });
  });

  it('answers a provider handshake itself (Dropbox GET ?challenge), without the handler', async () => {
    const before = processed.length;
    const answer = await request(url).get('/dropbox?challenge=abc123');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('abc123');
    expect(processed.length).toBe(before);
  });

  it("answers Meta's GET hub.challenge only for the configured verify token, without the handler", async () => {
    const before = processed.length;
    const check = (token: string) =>
      request(url)
        .get('/meta')
        .query({ 'hub.mode': 'subscribe', 'hub.challenge': 'meta-challenge-42', 'hub.verify_token': token });
    const answer = await check(META_VERIFY_TOKEN);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('meta-challenge-42');
    const wrong = await check('wrong-verify-token');
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('meta-challenge-42');
    expect(processed.length).toBe(before);
  });

  it('verifies a URL-signing scheme behind a proxy with trustProxyHeaders, from the proxy-added entry', async () => {
    const body = 'CallSid=CA123&From=%2B15005550006';
    const signed = twilio().sign({ secret: TWILIO, body, url: 'https://hooks.example.com/twilio' });
    const post = (forwardedHost: string) =>
      request(url)
        .post('/twilio')
        .set(signed)
        .set({ 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-host': forwardedHost })
        .send(body);
    expect((await post('hooks.example.com')).status).toBe(200);
    // A client-chosen first entry is ignored; the last (the proxy's) decides.
    expect((await post('hooks.example.com, evil.example')).status).toBe(401);
    expect(processed.at(-1)).toEqual({ id: 'twilio', body: { CallSid: 'CA123', From: '+15005550006' } });
  });

  it('routes by event type with a WebhookDispatcher, as @OnWebhookEvent() does in Nest', async () => {
    const paid = delivery({ body: JSON.stringify({ type: 'invoice.paid' }) });
    expect((await post('/routed', paid)).body).toEqual({ routed: true });
    expect(routed.map(([pattern]) => pattern)).toEqual(['invoice.paid', 'invoice.*', '*']);
    expect(new Set(routed.map(([, , key]) => key)).size).toBe(3);
    expect((await post('/routed', paid)).body).toEqual({ duplicate: true });
    routed.length = 0;
    expect(
      (await post('/routed', delivery({ body: JSON.stringify({ type: 'customer.created' }) }))).status,
    ).toBe(200);
    expect(routed.map(([pattern]) => pattern)).toEqual(['*']);
    // A handler that throws goes to Express's error handler (500), and the retry is processed.
    const exploding = delivery({ body: JSON.stringify({ type: 'explode' }) });
    expect((await post('/routed', exploding)).status).toBe(500);
    expect((await post('/routed', exploding)).status).toBe(500);
  });
});
