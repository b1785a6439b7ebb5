import getRawBody from 'raw-body';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import type { HttpRequestParts } from './webhook-http-receiver.js';

/**
 * The raw body as a Buffer: the bytes a framework kept (`rawBody`), else the still-unread stream,
 * read with a limit and a Content-Length check. Refuses a body a parser already consumed without
 * keeping the bytes: verifying re-serialised JSON would be unsound.
 */
export async function readRawBody(parts: HttpRequestParts, limit: number): Promise<Buffer> {
  const kept = parts.rawBody ?? (Buffer.isBuffer(parts.parsedBody) ? parts.parsedBody : undefined);
  if (kept) {
    if (kept.length > limit) throw tooLarge(limit);
    return kept;
  }
  const message = parts.message;
  if (message.readableEnded || parts.parsedBody !== undefined) {
    throw new WebhookVerificationError(
      'raw_body_unavailable',
      'The request body was parsed before verification and its bytes were not kept. In NestJS create the app with ' +
        '`NestFactory.create(AppModule, { rawBody: true })`; in Express mount the webhook route before express.json() ' +
        'or use express.raw().',
    );
  }
  const declared = message.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  try {
    return await getRawBody(message, { limit, length: declared });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw tooLarge(limit);
    throw new WebhookVerificationError('body_read_failed', 'The request body could not be read.', {
      cause: error,
    });
  }
}

const tooLarge = (limit: number) =>
  new WebhookVerificationError('body_too_large', `The body is larger than the ${limit}-byte limit.`);
