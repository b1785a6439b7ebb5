import type { Type } from '@nestjs/common';
import type {
  AnyWebhookScheme,
  PresetName,
  ReplayStore,
  SecretResolver,
  SecretSource,
  WebhookOptions,
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
  /** Check every route's known secrets at boot and refuse to start on an unusable one. Default true. */
  readonly checkSecretsAtBoot?: boolean;
  /**
   * Prometheus metrics (needs the optional peer dependency prom-client, loaded only when on):
   * `webhook_deliveries_total{scheme,endpoint,outcome}` and `webhook_verification_seconds{scheme}`.
   * `true` registers them in prom-client's default registry; `{ registry }` in yours. Default off.
   */
  readonly metrics?: WebhookMetricsOption;
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
}
