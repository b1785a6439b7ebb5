import type { Logger } from '@nestjs/common';
import { generateSecret } from '@verified-webhooks/core';

/** Everything the sample app reads from its environment (DESIGN §7). */
export interface SampleConfig {
  readonly port: number;
  readonly redisUrl: string | undefined;
  readonly bodyLimit: number;
  readonly standardSecret: string | undefined;
  readonly hmacSecret: string | undefined;
  /** Tenant name → secret or secrets (rotation). */
  readonly tenantSecrets: Readonly<Record<string, string | string[]>>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Reads the environment. Outside production an unset secret is replaced by a generated one that is
 * printed once, so `npm start` works on a fresh clone; in production the route answers 503 instead.
 */
export function loadSampleConfig(env: NodeJS.ProcessEnv, logger: Pick<Logger, 'warn'>): SampleConfig {
  const production = env.NODE_ENV === 'production';
  const secret = (variable: string, scheme: string): string | undefined => {
    const value = env[variable];
    if (value) return value;
    if (production) {
      logger.warn(`${variable} is not set: its route answers 503 until it is.`);
      return undefined;
    }
    const generated = generateSecret(scheme);
    logger.warn(`${variable} is not set; using a development secret generated for this run: ${generated}`);
    return generated;
  };

  let tenantSecrets: Record<string, string | string[]> = {};
  if (env.TENANT_SECRETS) {
    tenantSecrets = JSON.parse(env.TENANT_SECRETS) as Record<string, string | string[]>;
  } else if (!production) {
    const generated = generateSecret('standard-webhooks');
    logger.warn(
      `TENANT_SECRETS is not set; tenant "demo" uses a development secret generated for this run: ${generated}`,
    );
    tenantSecrets = { demo: generated };
  }

  return {
    port: Number(env.PORT ?? 3000),
    redisUrl: env.REDIS_URL || undefined,
    bodyLimit: env.WEBHOOK_BODY_LIMIT ? Number(env.WEBHOOK_BODY_LIMIT) : DEFAULT_BODY_LIMIT,
    standardSecret: secret('STANDARD_WEBHOOK_SECRET', 'standard-webhooks'),
    hmacSecret: secret('HMAC_WEBHOOK_SECRET', 'hmac'),
    tenantSecrets,
  };
}
