export { isWebhookRoute } from './is-webhook-route.js';
export { OnWebhookEvent } from './on-webhook-event.decorator.js';
export type { OnWebhookEventOptions } from './on-webhook-event.decorator.js';
export { VerifiedWebhook } from './verified-webhook.decorator.js';
export { VerifiedWebhookGuard } from './verified-webhook.guard.js';
export type { WebhookHttpRequest } from './verified-webhook.guard.js';
export { WebhookEvent } from './webhook-event.decorator.js';
export { WebhookHandlers } from './webhook-handlers.service.js';
export {
  DELIVERIES_METRIC,
  UNHANDLED_METRIC,
  VERIFICATION_METRIC,
  WebhookMetrics,
} from './webhook-metrics.js';
export type { MetricsRegistry, WebhookMetricsOption } from './webhook-metrics.js';
export { WebhookReplayInterceptor } from './webhook-replay.interceptor.js';
export { WebhookQueueControl } from './webhook-queue-control.service.js';
export {
  JOB_ATTEMPTS_METRIC,
  JOB_DURATION_METRIC,
  JOBS_METRIC,
  QUEUE_JOBS_METRIC,
  QUEUE_OLDEST_METRIC,
  QUEUE_PAUSED_METRIC,
  QUEUE_UP_METRIC,
  REPLAYS_METRIC,
  WebhookQueueMetrics,
} from './webhook-queue-metrics.js';
export type { JobOutcome, QueueStatsSource } from './webhook-queue-metrics.js';
export { WebhookTracing } from './tracing/webhook-tracing.js';
export type {
  TraceCarrier,
  WebhookSpan,
  WebhookSpanAttributes,
  WebhookSpanKind,
  WebhookSpanParent,
} from './tracing/webhook-tracing.js';
export { WebhookRoutes } from './webhook-routes.service.js';
export { WebhookWorker } from './webhook-worker.service.js';
export type { WebhookRoute } from './webhook-routes.service.js';
export type { VerifiedWebhookOptions, WebhooksModuleOptions } from './webhooks-options.interface.js';
export { WebhooksModule } from './webhooks.module.js';
export { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
export {
  InjectReplayStore,
  InjectSecretResolver,
  InjectWebhookQueue,
  ReplayStore,
  SecretResolver,
  VERIFIED_WEBHOOK_METADATA,
  WebhookQueue,
} from './webhooks.tokens.js';
export type {
  VerifiedWebhookEvent,
  WebhookEventMap,
  WebhookEventOf,
  WebhookHandlerContext,
} from '@verified-webhooks/core';
