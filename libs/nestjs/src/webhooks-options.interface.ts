import type { Type } from '@nestjs/common';
import type {
  AnyWebhookScheme,
  PresetName,
  ReplayStore,
  RetryPolicy,
  SecretResolver,
  SecretSource,
  WebhookOptions,
  WebhookQueue,
} from '@verified-webhooks/core';
import type { WebhookMetricsOption } from './webhook-metrics.js';

/**
 * Module-wide options for WebhooksModule.forRoot() / forRootAsync(): core's `WebhookOptions`
 * (tolerance, replay window, lease, body limit, status codes, public URL, ...) and the Nest wiring.
 */
export interface WebhooksModuleOptions extends WebhookOptions {
  /** Secrets for every webhook route: a string, a list (rotation), a resolver, or a function. */
  readonly secrets?: SecretSource;
  /** A resolver class built with dependency injection (e.g. a database lookup); wins over `secrets`. */
  readonly secretResolver?: Type<SecretResolver>;
  /** Where deliveries are remembered. Default: an in-memory store (one process only). `false` turns replay protection off. */
  readonly replayStore?: ReplayStore | false;
  /**
   * How verified deliveries are processed by default: `inline` (the handlers run in the request) or
   * `queue` (stored, answered 202, run by the worker with retries). A route can choose its own.
   */
  readonly processing?: 'inline' | 'queue';
  /** Where durable routes store deliveries. Default: an in-process queue (not durable, logged at boot). */
  readonly queue?: WebhookQueue;
  /** Retries of the default in-process queue (a queue you pass has its own). */
  readonly retry?: RetryPolicy;
  /**
   * Run the durable routes' handlers in this process (default true). `false` for an app that only
   * receives, with workers elsewhere (an app context with `worker: true` and the same queue).
   * `concurrency`: jobs at once, per endpoint (default 4), or by endpoint name. `endpoints`: more
   * endpoints to work on than this app's durable routes (a worker process that serves no route).
   */
  readonly worker?:
    | boolean
    | {
        readonly concurrency?: number | Readonly<Record<string, number>>;
        readonly endpoints?: readonly string[];
      };
  /** Check every route's known secrets at boot and refuse to start on an unusable one. Default true. */
  readonly checkSecretsAtBoot?: boolean;
  /**
   * Refuse to start when the replay store does not answer a ping at boot. Default false: a warning,
   * and deliveries are refused with 503 until it answers. Nest only: the Express middleware is built
   * synchronously and cannot wait for the store.
   */
  readonly requireStoreAtBoot?: boolean;
  /**
   * Prometheus metrics (needs the optional peer dependency prom-client, loaded only when on):
   * `webhook_deliveries_total{scheme,endpoint,outcome}` and `webhook_verification_seconds{scheme}`.
   * `true` registers them in prom-client's default registry; `{ registry }` in yours. Default off.
   */
  readonly metrics?: WebhookMetricsOption;
  /**
   * OpenTelemetry spans from the request to the handler (needs the optional peer dependency
   * `@opentelemetry/api` and an SDK the app registers; a no-op without them). Default true.
   */
  readonly tracing?: boolean;
}

/** What @VerifiedWebhook() takes: a preset name, a scheme, or these options (they override the module's). */
export interface VerifiedWebhookOptions extends Pick<WebhookOptions, 'toleranceMs' | 'bodyLimit'> {
  readonly scheme: AnyWebhookScheme | PresetName;
  /** Endpoint name for the resolver and the replay namespace. Default: the scheme's name. */
  readonly endpoint?: string;
  /** Secrets for this route only; else the module's. */
  readonly secrets?: SecretSource;
  /** Route parameter that names the tenant (secrets and replay keys are per tenant). */
  readonly tenantParam?: string;
  /** `false` turns replay protection off for this route. */
  readonly replay?: boolean;
  /** `queue`: acknowledge once stored (202), run the handlers in the worker. Default the module's. */
  readonly processing?: 'inline' | 'queue';
}
