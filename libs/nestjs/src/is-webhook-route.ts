import type { ExecutionContext } from '@nestjs/common';
import { VERIFIED_WEBHOOK_METADATA } from './webhooks.tokens.js';

/**
 * True on a route guarded by @VerifiedWebhook(). Lets an app's global auth guard or
 * ThrottlerModule (`skipIf: isWebhookRoute`) step aside: the signature is the authentication.
 */
export function isWebhookRoute(context: ExecutionContext): boolean {
  return (
    Reflect.getMetadata(VERIFIED_WEBHOOK_METADATA, context.getHandler()) !== undefined ||
    Reflect.getMetadata(VERIFIED_WEBHOOK_METADATA, context.getClass()) !== undefined
  );
}
