import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { ReplayStore, SecretContext } from '@verified-webhooks/core';
import { WebhooksModule } from '@verified-webhooks/nestjs';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import type { SampleConfig } from './sample-config.js';
import { WebhooksController } from './webhooks.controller.js';

@Module({})
export class AppModule {
  static register(config: SampleConfig, replayStore: ReplayStore): DynamicModule {
    return {
      module: AppModule,
      imports: [
        WebhooksModule.forRoot({
          replayStore,
          bodyLimit: config.bodyLimit,
          secrets: {
            resolve: (context: SecretContext) => secretFor(config, context),
            knownSecrets: () => knownSecrets(config),
          },
        }),
      ],
      controllers: [WebhooksController, EventsController],
      providers: [EventsService],
    };
  }
}

/** One secret per endpoint, one per tenant; an unset secret (production) answers 503. */
function secretFor(config: SampleConfig, context: SecretContext): string | string[] | undefined {
  const secret =
    context.endpoint === 'standard'
      ? config.standardSecret
      : context.endpoint === 'hmac'
        ? config.hmacSecret
        : context.endpoint === 'tenants' && context.tenant !== undefined
          ? Object.hasOwn(config.tenantSecrets, context.tenant)
            ? config.tenantSecrets[context.tenant]
            : undefined
          : undefined;
  if (secret === undefined && context.endpoint !== 'tenants') {
    throw new Error(`The secret for endpoint ${context.endpoint} is not configured.`);
  }
  return secret;
}

function knownSecrets(config: SampleConfig) {
  const known = [
    { where: 'STANDARD_WEBHOOK_SECRET', endpoint: 'standard', secret: config.standardSecret },
    { where: 'HMAC_WEBHOOK_SECRET', endpoint: 'hmac', secret: config.hmacSecret },
    ...Object.entries(config.tenantSecrets).flatMap(([tenant, secrets]) =>
      [secrets].flat().map((secret) => ({ where: `TENANT_SECRETS.${tenant}`, endpoint: 'tenants', secret })),
    ),
  ];
  return known.filter((entry): entry is typeof entry & { secret: string } => entry.secret !== undefined);
}
