import { hash } from 'node:crypto';

/**
 * The key a handler uses for its own side effects: the same for one delivery and one handler on every
 * retry (the delivery key comes from signed material), different for another handler or delivery.
 */
export const idempotencyKey = (deliveryKey: string, handler: string): string =>
  hash('sha256', `${deliveryKey}\0${handler}`, 'base64url');
