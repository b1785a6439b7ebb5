import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The request as frameworks hand it over: Node's message, maybe with a body a parser kept. */
export type RequestWithRawBody = IncomingMessage & { rawBody?: Buffer | undefined; body?: unknown };

/**
 * The raw body as a Buffer (DESIGN §2 step 2): the bytes a framework kept (`rawBody`), else the
 * still-unread stream, read with a limit and a Content-Length check. Refuses a body a parser already
 * consumed without keeping the bytes: verifying re-serialised JSON would be unsound.
 */
export async function readRawBody(request: RequestWithRawBody, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const kept = keptRawBody(request, limit);
  if (kept) return kept;
  if (request.readableEnded || request.body !== undefined) {
    throw new WebhookVerificationError(
      'raw_body_unavailable',
      'The request body was parsed before verification and its bytes were not kept. In NestJS create the app with ' +
        '`NestFactory.create(AppModule, { rawBody: true })`; in Express mount the webhook route before express.json() ' +
        'or use express.raw().',
    );
  }
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  try {
    return await getRawBody(request, { limit, length: declared });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw tooLarge(limit);
    throw new WebhookVerificationError('body_read_failed', 'The request body could not be read.', {
      cause: error,
    });
  }
}

/**
 * The bytes a framework kept (`rawBody`), synchronously, or undefined: the common case needs no
 * stream and no await. Over the limit it throws `body_too_large`.
 */
export function keptRawBody(request: RequestWithRawBody, limit = DEFAULT_BODY_LIMIT): Buffer | undefined {
  const kept = request.rawBody;
  if (!Buffer.isBuffer(kept)) return undefined;
  if (kept.length > limit) throw tooLarge(limit);
  return kept;
}

const tooLarge = (limit: number) =>
  new WebhookVerificationError('body_too_large', `The body is larger than the ${limit}-byte limit.`);
