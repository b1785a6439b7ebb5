import getRawBody from 'raw-body';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import type { HttpRequestParts } from './webhook-http-receiver.js';

/**
 * The raw body as a Buffer: the bytes a framework kept (`rawBody`), else the still-unread stream,
 * read with a limit and a Content-Length check. Refuses a body a parser already consumed without
 * keeping the bytes: verifying re-serialised JSON would be unsound.
 */
export async function readRawBody(parts: HttpRequestParts, limit: number): Promise<Buffer> {
  const refused = contentEncodingRefusal(parts.message.headers['content-encoding']);
  if (refused) throw refused;
  const kept = parts.rawBody ?? keptByParser(parts.parsedBody);
  if (kept) {
    if (kept.length > limit) throw tooLarge(limit);
    return kept;
  }
  const message = parts.message;
  if (parts.parsedBody !== undefined) throw parsedWithoutBytes();
  if (message.readableEnded) {
    throw new WebhookVerificationError(
      'raw_body_unavailable',
      'The request stream was read before verification by something that kept neither its bytes nor a body ' +
        '(a middleware that consumed it): mount the webhook route before it.',
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

/**
 * A parser ran (the request has a body) and kept no bytes. Whether the app's rawBody option is off or
 * another parser ran first, the request cannot tell: both are named, and the Nest module's startup
 * warning names the route and the one that applies (docs/architecture.md, "Boot checks").
 */
const parsedWithoutBytes = () =>
  new WebhookVerificationError(
    'raw_body_unavailable',
    'The body was parsed before verification by a parser that kept no bytes ' +
      '(req.body is set, req.rawBody is not). Either the app keeps no raw body (NestJS: ' +
      '`NestFactory.create(AppModule, { rawBody: true })`), or a parser registered before it took the body ' +
      '(express.json() without a `verify` hook that sets req.rawBody, mounted before the webhook route; on ' +
      'Fastify a parser for this content type, e.g. the built-in text/plain one); use express.raw() or mount ' +
      'the route before the parser. The startup warning names the route and the fix.',
  );

/**
 * A compressed body is refused before anything reads it. No provider in PROVIDERS.md documents whether
 * it signs the compressed or the decoded bytes, so neither is guessed (a guess is a misleading 401); and
 * a parser that inflated it (body-parser does) would hand over decoded bytes under the same header.
 * Exported for adapters whose platform parses before the guard runs (the Nest module's Fastify hook).
 */
export function contentEncodingRefusal(
  header: string | string[] | undefined,
): WebhookVerificationError | undefined {
  const encoding = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return undefined;
  return new WebhookVerificationError(
    'unsupported_content_encoding',
    'The body is sent with a Content-Encoding; webhook deliveries are verified uncompressed.',
  );
}

/**
 * A Buffer a parser kept, or a text parser's string (Fastify's built-in text/plain one, express.text()):
 * its UTF-8 bytes are verified. Sound: a match proves the sender signed exactly the bytes the handler
 * gets; a body that was not UTF-8 re-encodes differently and fails closed (401).
 */
function keptByParser(parsed: unknown): Buffer | undefined {
  if (Buffer.isBuffer(parsed)) return parsed;
  return typeof parsed === 'string' ? Buffer.from(parsed, 'utf8') : undefined;
}
