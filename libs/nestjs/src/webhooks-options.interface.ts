import type { Type } from '@nestjs/common';
import type {
  AnyWebhookScheme,
  PresetName,
  ReplayStore,
  SecretResolver,
  SecretSource,
  WebhookFailureReason,
} from '@verified-webhooks/core';
import type { WebhookMetricsOption } from './webhook-metrics.js';

/** Module-wide options for WebhooksModule.forRoot() / forRootAsync(). Every duration is in ms. */
export interface WebhooksModuleOptions {
  /** Secrets for every webhook route: a string, a list (rotation), a resolver, or a function. */
  secrets?: SecretSource;
  /** A resolver class built with dependency injection (e.g. a database lookup); wins over `secrets`. */
  secretResolver?: Type<SecretResolver>;
  /** Where deliveries are remembered. Default: an in-memory store (one process only). `false` turns replay protection off. */
  replayStore?: ReplayStore | false;
  /** How long a processed delivery is remembered at least. Default 300,000 (5 min). */
  replayWindowMs?: number;
  /** How long a claim holds while a handler runs; after a crash the retry waits this long. Default 60,000. */
  leaseMs?: number;
  /** Replay key prefix, one per application sharing a Redis. Default `vw:`. */
  keyPrefix?: string;
  /** Freshness window for timestamped schemes; default each scheme's own (5 min for most). */
  toleranceMs?: number;
  /** Largest body read before authentication, in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Longest header read before authentication. Default 8 KiB. */
  maxHeaderLength?: number;
  /** Most signatures read from one header. Default 16. */
  maxSignatures?: number;
  /** Override the HTTP status answered for a reason, e.g. `{ signature_mismatch: 403 }`. */
  statusCodes?: Partial<Record<WebhookFailureReason, number>>;
  /** Process deliveries without replay protection while the store is unreachable. Off by default; logged when used. */
  failOpen?: boolean;
  /** Injectable clock (ms since epoch), for tests. */
  clock?: () => number;
  /** Body answered for a duplicate of a processed delivery. Default `{ duplicate: true }`. */
  duplicateResponse?: unknown;
  /**
   * The public base URL senders post to (e.g. `https://api.example.com`), for schemes that sign the
   * URL (Twilio, Square). Preferred over `trustProxyHeaders`.
   */
  publicBaseUrl?: string;
  /** Build the public URL from X-Forwarded-Proto/-Host: only behind a proxy that sets them. Default false. */
  trustProxyHeaders?: boolean;
  /** Check every route's known secrets at boot and refuse to start on an unusable one. Default true. */
  checkSecretsAtBoot?: boolean;
  /**
   * Prometheus metrics (needs the optional peer dependency prom-client, loaded only when on):
   * `webhook_deliveries_total{scheme,endpoint,outcome}` and `webhook_verification_seconds{scheme}`.
   * `true` registers them in prom-client's default registry; `{ registry }` in yours. Default off.
   */
  metrics?: WebhookMetricsOption;
}

/** What @VerifiedWebhook() takes: a preset name, a scheme, or options. */
export interface VerifiedWebhookOptions {
  scheme: AnyWebhookScheme | PresetName;
  /** Endpoint name for the resolver and the replay namespace. Default: the scheme's name. */
  endpoint?: string;
  /** Secrets for this route only; else the module's. */
  secrets?: SecretSource;
  /** Route parameter that names the tenant (secrets and replay keys are per tenant). */
  tenantParam?: string;
  toleranceMs?: number;
  bodyLimit?: number;
  /** `false` turns replay protection off for this route. */
  replay?: boolean;
}
