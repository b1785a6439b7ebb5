import { appendFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { ScenarioRow } from '../support/reliability-report.global-setup.js';
import { standardDelivery } from '../support/deliveries.js';
import type { SignedDelivery } from '../support/deliveries.js';
import { SampleProcess } from '../support/sample-process.js';

export { hmacDelivery, secretOf, standardDelivery } from '../support/deliveries.js';

/** The environment of a reliability sample process: both secrets, no tenants unless `extra` has some. */
export const sampleEnv = (secret: string, hmacSecret: string, extra: Record<string, string> = {}) => ({
  STANDARD_WEBHOOK_SECRET: secret,
  HMAC_WEBHOOK_SECRET: hmacSecret,
  TENANT_SECRETS: '{}',
  ...extra,
});

/** Two sample-app processes with the same environment: two instances behind one replay store. */
export const startTwoSamples = (env: Record<string, string>): Promise<[SampleProcess, SampleProcess]> =>
  Promise.all([SampleProcess.start(env), SampleProcess.start(env)]);

/** Stops the sample processes, then the Redis they share; any of them may not have started. */
export async function stopAll(
  store: { dispose(): Promise<void> } | undefined,
  ...apps: (SampleProcess | undefined)[]
): Promise<void> {
  await Promise.all(apps.map(async (app) => app?.stop()));
  await store?.dispose();
}

/** VW_SOAK=1 (`npm run test:soak`) raises the load of every scenario. */
export const SOAK = process.env.VW_SOAK === '1';

/** Appends this scenario's figures to the run's report (rendered into REPORT.md at the end). */
export function reportScenario(row: ScenarioRow): void {
  appendFileSync(inject('reliabilityRows'), JSON.stringify(row) + '\n');
}

export interface Delivery {
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

/** `count` fresh standard deliveries, each signature watched. */
export function watchedDeliveries(secret: string, count: number, watch: LeakWatch): SignedDelivery[] {
  const deliveries = Array.from({ length: count }, () => standardDelivery(secret));
  for (const delivery of deliveries) watch.watchDelivery(delivery, 'webhook-signature');
  return deliveries;
}

export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Collects every answer body and log line, then checks none of them holds a secret or a signature. */
export class LeakWatch {
  private readonly needles = new Set<string>();
  private readonly texts: string[] = [];

  /** A secret (and its decoded key forms) or a signature that must never show up. */
  watch(...values: string[]): void {
    for (const value of values) {
      if (value.length < 8) continue;
      this.needles.add(value);
      if (value.startsWith('whsec_')) this.needles.add(value.slice('whsec_'.length));
    }
  }

  /** Watches every signature a delivery carries (`v1,<b64>` entries are watched without the prefix too). */
  watchDelivery(delivery: Delivery, signatureHeader: string): void {
    const value = delivery.headers[signatureHeader];
    if (!value) return;
    this.watch(value, ...value.split(' ').map((entry) => entry.slice(entry.indexOf(',') + 1)));
  }

  capture(text: string): void {
    if (text) this.texts.push(text);
  }

  /** Captures every output line of the given processes. */
  captureOutput(...apps: readonly { readonly output: readonly string[] }[]): void {
    for (const app of apps) for (const line of app.output) this.capture(line);
  }

  get captured(): number {
    return this.texts.length;
  }

  /** The texts that leak something (empty when clean). */
  leaks(): string[] {
    return this.texts.filter((text) => [...this.needles].some((needle) => text.includes(needle)));
  }
}

/** POSTs a delivery with fetch; captures non-2xx bodies in the watch. */
export async function post(
  url: string,
  delivery: Pick<Delivery, 'headers' | 'body'>,
  watch?: LeakWatch,
  extraHeaders: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...delivery.headers, ...extraHeaders },
    body: delivery.body,
  });
  const body = await response.text();
  if (response.status >= 300) watch?.capture(body);
  return { status: response.status, body };
}

export interface RetryResult {
  readonly statuses: number[];
  readonly delivered: boolean;
}

/**
 * A sender as providers behave: retries any non-2xx (and network errors) with exponential backoff,
 * at most `attempts` times; `pick(attempt)` chooses the URL, so retries can go to another instance.
 */
export async function sendWithRetry(
  pick: (attempt: number) => string,
  delivery: Delivery,
  options: {
    attempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    watch?: LeakWatch;
    onStatus?: (status: number) => void;
  } = {},
): Promise<RetryResult> {
  const attempts = options.attempts ?? 10;
  const statuses: number[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const answer = await post(pick(attempt), delivery, options.watch);
      statuses.push(answer.status);
      options.onStatus?.(answer.status);
      if (answer.status >= 200 && answer.status < 300) return { statuses, delivered: true };
    } catch {
      statuses.push(0);
      options.onStatus?.(0);
    }
    const delay = Math.min(options.maxDelayMs ?? 1_000, (options.baseDelayMs ?? 50) * 2 ** attempt);
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)));
  }
  return { statuses, delivered: false };
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

export interface ProcessedEvent {
  readonly provider: string;
  readonly endpoint: string;
  readonly id: string | undefined;
  readonly via?: 'inline' | 'queue';
  readonly attempts?: number;
}

export async function eventsOf(baseUrl: string): Promise<ProcessedEvent[]> {
  return (await (await fetch(`${baseUrl}/events`)).json()) as ProcessedEvent[];
}

/** What the durable route's workers processed, over every instance's GET /events. */
export const queuedEventsOf = async (apps: readonly { readonly url: string }[]): Promise<ProcessedEvent[]> =>
  (await Promise.all(apps.map((app) => eventsOf(app.url))))
    .flat()
    .filter((event) => event.endpoint === 'queued-standard');

/** Waits until every id was processed by a durable route's workers, then tallies them. */
export async function tallyQueued(apps: readonly { readonly url: string }[], ids: readonly string[]) {
  await vi.waitFor(async () => expect(tally(ids, await queuedEventsOf(apps)).processed).toBe(ids.length), {
    timeout: 60_000,
    interval: 250,
  });
  return tally(ids, await queuedEventsOf(apps));
}

/** processed / duplicated / lost for the ids a scenario sent, from every instance's GET /events. */
export function tally(ids: readonly string[], events: readonly ProcessedEvent[]) {
  const counts = new Map<string, number>();
  for (const event of events) if (event.id) counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
  let processed = 0;
  let duplicated = 0;
  let lost = 0;
  for (const id of ids) {
    const count = counts.get(id) ?? 0;
    processed += Math.min(count, 1);
    if (count > 1) duplicated++;
    if (count === 0) lost++;
  }
  const unexpected = [...counts.keys()].filter((id) => !ids.includes(id)).length;
  return { processed, duplicated, lost, unexpected };
}

/**
 * `count` distinct deliveries, each sent `copies` times at once, the copies spread over the instances;
 * a copy answered 409 (in flight) is retried like a provider would.
 */
export async function sendCopies(
  urls: readonly string[],
  deliveries: readonly Delivery[],
  copies: number,
  watch?: LeakWatch,
): Promise<{ statuses: Map<number, number>; undelivered: number }> {
  const statuses = new Map<number, number>();
  let undelivered = 0;
  await pool(deliveries, 32, async (delivery) => {
    const results = await Promise.all(
      Array.from({ length: copies }, (_, copy) =>
        sendWithRetry((attempt) => urls[(copy + attempt) % urls.length]!, delivery, {
          attempts: 8,
          baseDelayMs: 20,
          watch,
        }),
      ),
    );
    for (const result of results) {
      if (!result.delivered) undelivered++;
      for (const status of result.statuses) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  });
  return { statuses, undelivered };
}

export const describeStatuses = (statuses: Map<number, number>) =>
  [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
