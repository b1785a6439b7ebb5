import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { KnownSecret, ReplayStore, SecretContext, WebhookQueue } from '@verified-webhooks/core';
import { TerminusModule } from '@nestjs/terminus';
import { WebhooksModule } from '@verified-webhooks/nestjs';
import { ReplayStoreHealthIndicator, WebhookQueueHealthIndicator } from '@verified-webhooks/nestjs/terminus';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import { OpsController } from './ops.controller.js';
import { ProviderHandlers } from './provider-handlers.js';
import type { FaultCounter } from './queued-handlers.js';
import { FAULT_COUNTER, memoryFaultCounter, QueuedHandlers, SAMPLE_CONFIG } from './queued-handlers.js';
import type { SampleConfig } from './sample-config.js';
import type { SampleEndpoint } from './sample-endpoints.js';
import { SAMPLE_ENDPOINTS } from './sample-endpoints.js';
import { WebhooksController } from './webhooks.controller.js';

@Module({})
export class AppModule {
  static register(
    config: SampleConfig,
    replayStore: ReplayStore,
    queue: WebhookQueue,
    faultCounter: FaultCounter = memoryFaultCounter(),
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        WebhooksModule.forRoot({
          replayStore,
          queue,
          bodyLimit: config.bodyLimit,
          metrics: true, // GET /metrics (prom-client's default registry)
          ...(config.leaseMs === undefined ? {} : { leaseMs: config.leaseMs }),
          secrets: {
            resolve: (context: SecretContext) => secretFor(config, context),
            knownSecrets: () => knownSecrets(config),
          },
        }),
        TerminusModule,
      ],
      controllers: [WebhooksController, EventsController, OpsController],
      providers: [
        EventsService,
        ProviderHandlers,
        QueuedHandlers,
        { provide: SAMPLE_CONFIG, useValue: config },
        { provide: FAULT_COUNTER, useValue: faultCounter },
        ReplayStoreHealthIndicator,
        WebhookQueueHealthIndicator,
      ],
    };
  }
}

/** One secret per endpoint, one per tenant; an unset secret (production) answers 503. */
function secretFor(config: SampleConfig, context: SecretContext): string | string[] | undefined {
  if (context.endpoint === 'tenants') {
    const tenant = context.tenant;
    return tenant !== undefined && Object.hasOwn(config.tenantSecrets, tenant)
      ? config.tenantSecrets[tenant]
      : undefined;
  }
  // The durable route takes the same deliveries as POST /webhooks/standard.
  const endpoint = context.endpoint === 'queued-standard' ? 'standard' : context.endpoint;
  if (!Object.hasOwn(config.secrets, endpoint)) return undefined;
  const secret = config.secrets[endpoint as SampleEndpoint];
  if (secret === undefined) throw new Error(`The secret for endpoint ${context.endpoint} is not configured.`);
  return secret;
}

function knownSecrets(config: SampleConfig): KnownSecret[] {
  const endpoints = SAMPLE_ENDPOINTS.flatMap(({ endpoint, secretVariable }) => {
    const secret = config.secrets[endpoint];
    if (secret === undefined) return [];
    const known = [{ where: secretVariable, endpoint, secret }];
    return endpoint === 'standard'
      ? [...known, { where: secretVariable, endpoint: 'queued-standard', secret }]
      : known;
  });
  const tenants = Object.entries(config.tenantSecrets).flatMap(([tenant, secrets]) =>
    [secrets].flat().map((secret) => ({ where: `TENANT_SECRETS.${tenant}`, endpoint: 'tenants', secret })),
  );
  return [...endpoints, ...tenants];
}
