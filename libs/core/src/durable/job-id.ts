import { idempotencyKey } from '../handlers/idempotency-key.js';
import type { StoredDelivery } from './stored-delivery.js';

/**
 * A job's id: the handler's idempotency key, so a delivery is queued once; a replay adds its own id,
 * so it is queued although the original's job is still kept (its handler still sees the same key).
 */
export const jobIdOf = (delivery: Pick<StoredDelivery, 'deliveryKey' | 'replayId'>, handler: string) =>
  delivery.replayId === undefined
    ? idempotencyKey(delivery.deliveryKey, handler)
    : `${idempotencyKey(delivery.deliveryKey, handler)}.replay.${delivery.replayId}`;
