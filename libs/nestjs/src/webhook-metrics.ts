import type { Counter, Histogram, Registry } from 'prom-client';

/**
 * The part of a prom-client `Registry` this module uses. Typed structurally so that the module's
 * declarations do not require prom-client, an optional peer dependency.
 */
export interface MetricsRegistry {
  getSingleMetric(name: string): unknown;
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** `true`: prom-client's default registry; or a registry of your own. */
export type WebhookMetricsOption = boolean | { readonly registry?: MetricsRegistry };

export const DELIVERIES_METRIC = 'webhook_deliveries_total';
export const VERIFICATION_METRIC = 'webhook_verification_seconds';
export const UNHANDLED_METRIC = 'webhook_unhandled_events_total';

/**
 * Prometheus metrics for webhook deliveries (option `metrics`):
 * - `webhook_deliveries_total{scheme,endpoint,outcome}`: outcome is `accepted`, `duplicate`,
 *   `handshake` or the refusal's reason code (`signature_mismatch`, `timestamp_expired`, ...);
 * - `webhook_verification_seconds{scheme}`: time spent verifying (raw body read excluded);
 * - `webhook_unhandled_events_total{scheme,endpoint}`: accepted deliveries no `@OnWebhookEvent()` handler matched.
 *
 * prom-client is loaded only when metrics are on; without them this is a no-op. Label values are
 * bounded: endpoints and schemes come from the routes, never from a tenant or a header.
 */
export class WebhookMetrics {
  /** The no-op instance used while metrics are off. */
  static readonly disabled = new WebhookMetrics(undefined, undefined, undefined, undefined);

  private constructor(
    /** The registry the metrics are in; undefined while metrics are off. */
    readonly registry: MetricsRegistry | undefined,
    private readonly deliveries: Counter<'scheme' | 'endpoint' | 'outcome'> | undefined,
    private readonly verification: Histogram<'scheme'> | undefined,
    private readonly unhandledEvents: Counter<'scheme' | 'endpoint'> | undefined,
  ) {}

  /** Loads prom-client (an optional peer dependency) only when `option` turns metrics on. */
  static async create(option: WebhookMetricsOption | undefined): Promise<WebhookMetrics> {
    if (!option) return WebhookMetrics.disabled;
    let client: typeof import('prom-client');
    try {
      client = await import('prom-client');
    } catch (error) {
      throw new Error('verified-webhooks: the `metrics` option needs prom-client: npm install prom-client', {
        cause: error,
      });
    }
    const registry = ((option === true ? undefined : option.registry) ?? client.register) as Registry;
    // Reused when another app in this process registered them already (prom-client refuses duplicates).
    const deliveries =
      (registry.getSingleMetric(DELIVERIES_METRIC) as
        Counter<'scheme' | 'endpoint' | 'outcome'> | undefined) ??
      new client.Counter({
        name: DELIVERIES_METRIC,
        help: 'Webhook deliveries by outcome: accepted, duplicate, handshake, or the reason code of a refusal.',
        labelNames: ['scheme', 'endpoint', 'outcome'] as const,
        registers: [registry],
      });
    const verification =
      (registry.getSingleMetric(VERIFICATION_METRIC) as Histogram<'scheme'> | undefined) ??
      new client.Histogram({
        name: VERIFICATION_METRIC,
        help: 'Time spent verifying a webhook delivery (parse, secrets, signature, replay claim), in seconds.',
        labelNames: ['scheme'] as const,
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
        registers: [registry],
      });
    const unhandled =
      (registry.getSingleMetric(UNHANDLED_METRIC) as Counter<'scheme' | 'endpoint'> | undefined) ??
      new client.Counter({
        name: UNHANDLED_METRIC,
        help: 'Accepted webhook deliveries that no @OnWebhookEvent() handler matched (answered 2xx).',
        labelNames: ['scheme', 'endpoint'] as const,
        registers: [registry],
      });
    return new WebhookMetrics(registry, deliveries, verification, unhandled);
  }

  get enabled(): boolean {
    return this.registry !== undefined;
  }

  /** Counts one delivery's outcome. */
  delivery(scheme: string, endpoint: string, outcome: string): void {
    this.deliveries?.inc({ scheme, endpoint, outcome });
  }

  /** Counts an accepted delivery that no handler matched. */
  unhandled(scheme: string, endpoint: string): void {
    this.unhandledEvents?.inc({ scheme, endpoint });
  }

  /** Starts timing one verification; call the result when it ends. */
  startVerification(scheme: string): () => void {
    if (!this.verification) return noop;
    const stop = this.verification.startTimer({ scheme });
    return () => {
      stop();
    };
  }
}

const noop = (): void => undefined;
