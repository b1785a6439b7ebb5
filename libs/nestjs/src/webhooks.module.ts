import type { NestModule, OnModuleDestroy, Provider } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import type {
  ReplayStore as ReplayStoreContract,
  SecretResolver as SecretResolverContract,
  WebhookQueue as WebhookQueueContract,
} from '@verified-webhooks/core';
import { InProcessQueue, MemoryReplayStore, toSecretResolver } from '@verified-webhooks/core';
import { VerifiedWebhookGuard } from './verified-webhook.guard.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { WebhookQueueControl } from './webhook-queue-control.service.js';
import { WebhookQueueMetrics } from './webhook-queue-metrics.js';
import { WebhookTracing } from './tracing/webhook-tracing.js';
import { WebhookReplayInterceptor } from './webhook-replay.interceptor.js';
import { WebhookHandlers } from './webhook-handlers.service.js';
import { WebhookHandlersExplorer } from './webhook-handlers.explorer.js';
import { WebhookRoutes } from './webhook-routes.service.js';
import { WebhookWorker } from './webhook-worker.service.js';
import { WebhookRoutesExplorer } from './webhook-routes.explorer.js';
import { ReplayStoreBootCheck } from './replay-store.boot-check.js';
import { ContentEncodingPolicy } from './raw-body/content-encoding.policy.js';
import { RawBodyDiagnostics } from './raw-body/raw-body.diagnostics.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { ConfigurableWebhooksModule, WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
import { ReplayStore, SecretResolver, WebhookQueue as WebhookQueueToken } from './webhooks.tokens.js';

const providers: Provider[] = [
  {
    provide: ReplayStore,
    inject: [WEBHOOKS_MODULE_OPTIONS],
    useFactory: (options: WebhooksModuleOptions): ReplayStoreContract | false =>
      options.replayStore ?? new MemoryReplayStore(),
  },
  {
    provide: SecretResolver,
    inject: [WEBHOOKS_MODULE_OPTIONS, ModuleRef],
    useFactory: async (
      options: WebhooksModuleOptions,
      moduleRef: ModuleRef,
    ): Promise<SecretResolverContract | null> => {
      if (options.secretResolver) return moduleRef.create(options.secretResolver);
      // Given but undefined (an unset env var) is reported at boot by the routes explorer.
      return 'secrets' in options ? toSecretResolver(options.secrets) : null;
    },
  },
  {
    provide: WebhookMetrics,
    inject: [WEBHOOKS_MODULE_OPTIONS],
    useFactory: (options: WebhooksModuleOptions): Promise<WebhookMetrics> =>
      WebhookMetrics.create(options.metrics),
  },
  {
    provide: WebhookQueueToken,
    inject: [WEBHOOKS_MODULE_OPTIONS],
    useFactory: (options: WebhooksModuleOptions): WebhookQueueContract =>
      options.queue ?? new InProcessQueue(options.retry),
  },
  {
    provide: WebhookQueueMetrics,
    inject: [WebhookMetrics, WebhookQueueControl],
    useFactory: (metrics: WebhookMetrics, control: WebhookQueueControl): Promise<WebhookQueueMetrics> =>
      // The ping first: with no durable endpoint to read, an unreachable queue still shows as down.
      WebhookQueueMetrics.create(metrics.registry, () => control.ping().then(() => control.status())),
  },
  {
    provide: WebhookTracing,
    inject: [WEBHOOKS_MODULE_OPTIONS],
    useFactory: (options: WebhooksModuleOptions): Promise<WebhookTracing> =>
      WebhookTracing.create(options.tracing ?? true),
  },
  WebhookQueueControl,
  WebhookRoutes,
  WebhookHandlers,
  WebhookHandlersExplorer,
  WebhookWorker,
  VerifiedWebhookGuard,
  WebhookReplayInterceptor,
  WebhookRoutesExplorer,
  ReplayStoreBootCheck,
  RawBodyDiagnostics,
  ContentEncodingPolicy,
];

/**
 * Verified webhooks for the whole app (global by default):
 *
 *     WebhooksModule.forRoot({ secrets: secretsByEndpoint({ stripe: process.env.STRIPE_WEBHOOK_SECRET! }) })
 */
@Module({
  imports: [DiscoveryModule],
  providers,
  exports: [
    ReplayStore,
    SecretResolver,
    WebhookRoutes,
    WebhookHandlers,
    WebhookQueueToken,
    WebhookMetrics,
    WebhookQueueControl,
    WebhookQueueMetrics,
    WebhookTracing,
    VerifiedWebhookGuard,
    WebhookReplayInterceptor,
    WEBHOOKS_MODULE_OPTIONS,
  ],
})
export class WebhooksModule extends ConfigurableWebhooksModule implements NestModule, OnModuleDestroy {
  constructor(
    @Inject(ReplayStore) private readonly store: ReplayStoreContract | false,
    private readonly contentEncoding: ContentEncodingPolicy,
  ) {
    super();
  }

  /** Nest runs this once the HTTP adapter and its parsers exist, before it registers routes. */
  configure(): void {
    this.contentEncoding.install();
  }

  /** Closes the store; a RedisReplayStore closes only connections it opened itself. */
  async onModuleDestroy(): Promise<void> {
    if (this.store) await this.store.close?.();
  }
}
