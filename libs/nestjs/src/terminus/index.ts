export { ReplayStoreHealthIndicator } from './replay-store.health.js';
export { WebhookQueueHealthIndicator } from './webhook-queue.health.js';
