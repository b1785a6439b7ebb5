/**
 * µs per verify at 1 KB and 64 KB: our schemes (scheme-level parse + verify, and the whole
 * WebhookVerifier pipeline with replay off) beside the reference libraries and the bare node:crypto
 * limit. Prints progress to stderr and one JSON line (the rows) to stdout.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import type { AnyWebhookScheme } from '@verified-webhooks/core';
import { hmac, standardWebhooks, WebhookVerifier } from '@verified-webhooks/core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { jsonBody, median, SECRET, SECRET_KEY, standardHeaders } from './common.js';

const quick = process.argv.includes('--quick');
const REPEATS = quick ? 3 : 7;
const SLICE_MS = quick ? 40 : 100;
const LIMITS = { maxHeaderLength: 8192, maxSignatures: 16 };
const PLAIN_SECRET = 'bench-secret-0123456789abcdefghij';

type Run = () => unknown;
interface Case {
  name: string;
  run: Run;
  async: boolean;
}

/** Ops per `SLICE_MS`, found once per case. */
async function calibrate(c: Case): Promise<number> {
  let n = 16;
  for (;;) {
    const ms = await time(c, n);
    if (ms >= SLICE_MS / 4) return Math.max(1, Math.round((n * SLICE_MS) / ms));
    n *= 4;
  }
}

async function time(c: Case, n: number): Promise<number> {
  const started = performance.now();
  if (c.async) for (let i = 0; i < n; i++) await c.run();
  else for (let i = 0; i < n; i++) c.run();
  return performance.now() - started;
}

/** Checks the case accepts its delivery before it is timed: a benchmark of a failing verify proves nothing. */
async function accepts(c: Case): Promise<boolean> {
  try {
    const result: unknown = await c.run();
    return result !== false;
  } catch (error) {
    console.error(`  skipped ${c.name}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

function pipeline(
  scheme: AnyWebhookScheme,
  secret: string,
  headers: Record<string, string>,
  body: Buffer,
): Run {
  const verifier = new WebhookVerifier({ scheme, secrets: secret, replayStore: false });
  const request = { headers, rawBody: body };
  return () => verifier.verify(request);
}

function schemeLevel(
  scheme: AnyWebhookScheme,
  secret: string,
  headers: Record<string, string>,
  body: Buffer,
) {
  const key = scheme.importKey(secret);
  const context = { limits: LIMITS, rawBody: body };
  return () => scheme.verify(scheme.parse(headers, context), body, key);
}

/** Every preset factory in libs/core/dist/schemes/presets that signs and verifies with defaults. */
async function presetCases(body: Buffer): Promise<Case[]> {
  const dir = fileURLToPath(new URL('../../../../libs/core/dist/schemes/presets/', import.meta.url));
  const cases: Case[] = [];
  const seen = new Set<string>();
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.scheme.js'))
    .sort()) {
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(dir + file).href)) as Record<string, unknown>;
    } catch (error) {
      console.error(`  skipped ${file}: ${String(error)}`);
      continue;
    }
    for (const [exported, factory] of Object.entries(module)) {
      if (typeof factory !== 'function' || seen.has(exported)) continue;
      let scheme: AnyWebhookScheme;
      try {
        scheme = (factory as () => AnyWebhookScheme)();
      } catch {
        continue;
      }
      if (typeof scheme?.verify !== 'function' || typeof scheme.sign !== 'function') continue;
      seen.add(exported);
      for (const secret of [SECRET, PLAIN_SECRET]) {
        let headers: Record<string, string>;
        try {
          headers = scheme.sign({ secret, body, id: `evt_${exported}`, timestamp: Date.now() });
        } catch {
          continue;
        }
        const c = {
          name: `ours: preset ${exported}() pipeline`,
          run: pipeline(scheme, secret, headers, body),
          async: true,
        };
        if (await accepts(c)) {
          cases.push(c);
          break;
        }
      }
    }
  }
  return cases;
}

async function casesFor(body: Buffer): Promise<Case[]> {
  const now = Math.floor(Date.now() / 1000);
  const id = 'msg_bench';
  const headers = standardHeaders(id, now, body);
  const svixHeaders = {
    'svix-id': id,
    'svix-timestamp': headers['webhook-timestamp']!,
    'svix-signature': headers['webhook-signature']!,
  };
  const expected = Buffer.from(headers['webhook-signature']!.slice(3), 'base64');
  const text = body.toString('utf8');

  const ours = standardWebhooks();
  const generic = hmac({ signatureHeader: 'x-hmac', idHeader: 'x-webhook-id', typeHeader: 'x-topic' });
  const hmacHeaders = generic.sign({ secret: PLAIN_SECRET, body, id, type: 'invoice.paid' });

  const reference = new StandardWebhook(SECRET);
  const svix = new SvixWebhook(SECRET);
  const stripe = new Stripe('sk_test_bench');
  const stripeSecret = 'whsec_bench_stripe_secret';
  const stripeHeader = stripe.webhooks.generateTestHeaderString({ payload: text, secret: stripeSecret });
  const githubSignature = `sha256=${createHmac('sha256', PLAIN_SECRET).update(text).digest('hex')}`;

  const cases: Case[] = [
    {
      name: 'node:crypto HMAC + timingSafeEqual (limit)',
      async: false,
      run: () => {
        const mac = createHmac('sha256', SECRET_KEY).update(`${id}.${now}.`).update(body).digest();
        return mac.length === expected.length && timingSafeEqual(mac, expected);
      },
    },
    {
      name: 'ours: standardWebhooks() parse + verify',
      async: false,
      run: schemeLevel(ours, SECRET, headers, body),
    },
    { name: 'ours: standardWebhooks() pipeline', async: true, run: pipeline(ours, SECRET, headers, body) },
    {
      name: 'ours: hmac() parse + verify',
      async: false,
      run: schemeLevel(generic, PLAIN_SECRET, hmacHeaders, body),
    },
    { name: 'ours: hmac() pipeline', async: true, run: pipeline(generic, PLAIN_SECRET, hmacHeaders, body) },
    {
      name: 'standardwebhooks Webhook.verify (parses JSON)',
      async: false,
      run: () => reference.verify(body, headers),
    },
    { name: 'svix Webhook.verify (parses JSON)', async: false, run: () => svix.verify(body, svixHeaders) },
    {
      name: 'stripe.webhooks.constructEvent (parses JSON)',
      async: false,
      run: () => stripe.webhooks.constructEvent(body, stripeHeader, stripeSecret),
    },
    {
      name: '@octokit/webhooks-methods verify (string body)',
      async: true,
      run: () => octokitVerify(PLAIN_SECRET, text, githubSignature),
    },
  ];
  return [...cases, ...(await presetCases(body))];
}

const rows: { name: string; size: string; us: number }[] = [];
for (const size of [
  { label: '1 KB', bytes: 1024 },
  { label: '64 KB', bytes: 64 * 1024 },
]) {
  const all = await casesFor(jsonBody(size.bytes));
  const cases: Case[] = [];
  for (const c of all) if (await accepts(c)) cases.push(c);
  const counts = new Map<Case, number>();
  for (const c of cases) counts.set(c, await calibrate(c));
  const samples = new Map<Case, number[]>(cases.map((c) => [c, []]));
  // Interleaved: every case once per repeat, so background load hits all of them alike.
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const c of cases) {
      const n = counts.get(c)!;
      samples.get(c)!.push(((await time(c, n)) * 1000) / n);
    }
  }
  for (const c of cases) {
    const us = median(samples.get(c)!);
    rows.push({ name: c.name, size: size.label, us });
    console.error(`  ${size.label.padEnd(5)} ${us.toFixed(2).padStart(8)} µs  ${c.name}`);
  }
}
process.stdout.write(JSON.stringify(rows) + '\n');
