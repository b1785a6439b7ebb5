import type { BodyParserFinding } from './body-parser-finding.js';
import { bounded, PROBED_BODIES } from './body-parser-finding.js';

type Done = (error: unknown, body?: unknown) => void;
interface FastifyParser {
  readonly asString?: boolean;
  readonly asBuffer?: boolean;
  readonly bodyLimit?: number;
  readonly fn: (req: object, body: unknown, done: Done) => unknown;
}
interface FastifyInstance {
  hasContentTypeParser(type: string): boolean;
  readonly initialConfig?: { readonly bodyLimit?: number };
}

/**
 * The content-type parsers of a Fastify instance, each run on a stand-in request: does it keep the
 * bytes (`req.rawBody`), and is its limit below the route's? `parserRegistered` is false when the app
 * was created with `bodyParser: false` (Nest registered none of its own).
 */
export async function fastifyBodyParserFindings(
  instance: unknown,
  parserRegistered: boolean,
  bodyLimit: number,
): Promise<BodyParserFinding[]> {
  const fastify = instance as FastifyInstance & Record<symbol, unknown>;
  if (typeof fastify?.hasContentTypeParser !== 'function') return [];
  // Fastify's own table (lib/symbols.js): no public API returns the parser of a type.
  const key = Object.getOwnPropertySymbols(fastify).find(
    (s) => s.description === 'fastify.contentTypeParser',
  );
  const table = key && (fastify[key] as { getParser?(type: string): FastifyParser | undefined });
  if (!table?.getParser) return [];
  // A type nobody registers finds the '*' parser (stored as '', which hasContentTypeParser('*') does not see).
  const catchAll = table.getParser('application/x-verified-webhooks-probe') !== undefined;
  const findings: BodyParserFinding[] = [];
  for (const [contentType, body] of PROBED_BODIES) {
    const parser = table.getParser(contentType);
    if (!parser || (!parser.asString && !parser.asBuffer)) continue; // none: Fastify answers 415
    const kept = await keepsBytes(parser, body);
    const parserLimit = parser.bodyLimit ?? fastify.initialConfig?.bodyLimit;
    const limit = parserLimit !== undefined && parserLimit < bodyLimit ? parserLimit : undefined;
    // Without a catch-all parser the app accepts only JSON and forms: its text/plain is not a webhook setup.
    if (!kept && contentType === 'text/plain' && !catchAll) continue;
    if (kept && limit === undefined) continue;
    findings.push({
      contentType,
      discardsBytes: !kept,
      limit,
      fix: fixFor(contentType, kept, parserRegistered),
    });
  }
  return findings;
}

function fixFor(contentType: string, kept: boolean, parserRegistered: boolean): string {
  if (kept) return 'raise it with `new FastifyAdapter({ bodyLimit })`, or lower bodyLimit to match';
  if (contentType === 'text/plain') {
    return (
      "Fastify's built-in text/plain parser wins over your '*' buffer parser and keeps no bytes: call " +
      "`fastify.removeContentTypeParser('text/plain')` before adding the '*' parser"
    );
  }
  if (!parserRegistered) {
    return (
      "the app was created with `bodyParser: false`, so Fastify's own parser reads it and keeps no bytes: " +
      'drop `bodyParser: false` and create the app with `rawBody: true`'
    );
  }
  return 'the app keeps no raw body: create it with `NestFactory.create(AppModule, adapter, { rawBody: true })`';
}

function keepsBytes(parser: FastifyParser, body: string): Promise<boolean> {
  const req: { rawBody?: unknown } = {};
  const input = parser.asString ? body : Buffer.from(body);
  return bounded<boolean>((settle) => {
    const done: Done = () => settle(Buffer.isBuffer(req.rawBody));
    const answer = parser.fn(req, input, done);
    // An async parser answers by its promise instead of `done`.
    if (answer && typeof (answer as Promise<unknown>).then === 'function') {
      (answer as Promise<unknown>).then(done, done);
    }
  }, false);
}
