export { BullmqWebhookQueue, checkQueueRedis } from '../durable/bullmq-webhook-queue.js';
export type { BullmqWebhookQueueOptions } from '../durable/bullmq-webhook-queue.js';
