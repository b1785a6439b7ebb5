import type { Logger } from '@nestjs/common';
import { generateSecret, WEBHOOK_DEFAULTS } from '@verified-webhooks/core';
import type { SampleEndpoint } from './sample-endpoints.js';
import { SAMPLE_ENDPOINTS } from './sample-endpoints.js';

/** Everything the sample app reads from its environment (docs/architecture.md, "The sample app"). */
export interface SampleConfig {
  readonly port: number;
  readonly redisUrl: string | undefined;
  /** `REDIS_CLUSTER_NODES=host:port,host:port`: a Redis Cluster instead of one node (wins over REDIS_URL). */
  readonly redisClusterNodes: readonly { host: string; port: number }[] | undefined;
  /** `WEBHOOK_LEASE_MS`: how long a claim holds while a handler runs. Default: the library's (60 s). */
  readonly leaseMs: number | undefined;
  /** `WEBHOOK_REQUEST_TIMEOUT_MS`: the whole request (headers and a trickled body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** `WEBHOOK_MAX_ATTEMPTS` (default 5) and `WEBHOOK_RETRY_BASE_MS` (the first backoff, default 1000): durable retries. */
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number };
  /** `WEBHOOK_JOB_LOCK_MS`: how soon a job of a crashed worker runs again elsewhere. Default BullMQ's (30 s). */
  readonly jobLockMs: number | undefined;
  /** `SAMPLE_FAULTS=1`: test aid for the reliability suite (see fault-injection.ts). Never in production. */
  readonly faults: boolean;
  readonly bodyLimit: number;
  /** Endpoint → its secret (unset in production: that route answers 503). */
  readonly secrets: Readonly<Record<SampleEndpoint, string | undefined>>;
  /** Tenant name → secret or secrets (rotation). */
  readonly tenantSecrets: Readonly<Record<string, string | string[]>>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Reads the environment. Outside production an unset secret is replaced by a generated one that is
 * printed once, so `npm start` works on a fresh clone; in production the route answers 503 instead.
 */
export function loadSampleConfig(env: NodeJS.ProcessEnv, logger: Pick<Logger, 'warn'>): SampleConfig {
  const production = env.NODE_ENV === 'production';
  const generated: string[] = [];
  const secret = (variable: string, scheme: string): string | undefined => {
    const value = env[variable];
    if (value) return value;
    if (production) {
      logger.warn(`${variable} is not set: its route answers 503 until it is.`);
      return undefined;
    }
    const generatedSecret = generateSecret(scheme);
    generated.push(`${variable}=${generatedSecret}`);
    return generatedSecret;
  };

  let tenantSecrets: Record<string, string | string[]> = {};
  if (env.TENANT_SECRETS) {
    tenantSecrets = JSON.parse(env.TENANT_SECRETS) as Record<string, string | string[]>;
  } else if (!production) {
    const demo = generateSecret('standard-webhooks');
    generated.push(`TENANT_SECRETS={"demo":"${demo}"}`);
    tenantSecrets = { demo };
  }

  const config: SampleConfig = {
    port: Number(env.PORT ?? 3000),
    redisUrl: env.REDIS_URL || undefined,
    redisClusterNodes: env.REDIS_CLUSTER_NODES
      ? env.REDIS_CLUSTER_NODES.split(',').map((node) => {
          const [host, port] = node.trim().split(':');
          return { host: host || '127.0.0.1', port: Number(port ?? 6379) };
        })
      : undefined,
    leaseMs: env.WEBHOOK_LEASE_MS ? Number(env.WEBHOOK_LEASE_MS) : undefined,
    requestTimeoutMs: env.WEBHOOK_REQUEST_TIMEOUT_MS
      ? Number(env.WEBHOOK_REQUEST_TIMEOUT_MS)
      : DEFAULT_REQUEST_TIMEOUT_MS,
    faults: env.SAMPLE_FAULTS === '1',
    jobLockMs: env.WEBHOOK_JOB_LOCK_MS ? Number(env.WEBHOOK_JOB_LOCK_MS) : undefined,
    retry: {
      maxAttempts: env.WEBHOOK_MAX_ATTEMPTS ? Number(env.WEBHOOK_MAX_ATTEMPTS) : 5,
      baseDelayMs: env.WEBHOOK_RETRY_BASE_MS ? Number(env.WEBHOOK_RETRY_BASE_MS) : 1_000,
    },
    bodyLimit: env.WEBHOOK_BODY_LIMIT ? Number(env.WEBHOOK_BODY_LIMIT) : WEBHOOK_DEFAULTS.bodyLimit,
    secrets: Object.fromEntries(
      SAMPLE_ENDPOINTS.map(({ endpoint, scheme, secretVariable }) => [
        endpoint,
        secret(secretVariable, scheme),
      ]),
    ) as Record<SampleEndpoint, string | undefined>,
    tenantSecrets,
  };
  if (generated.length > 0) {
    // Once, at startup: they change on every run and are for development only.
    logger.warn(
      `Development only: these variables are not set, so this run uses generated secrets. Set them (never these) in production:\n  ${generated.join('\n  ')}`,
    );
  }
  return config;
}
