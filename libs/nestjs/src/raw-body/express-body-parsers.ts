import { Readable } from 'node:stream';
import type { BodyParserFinding } from './body-parser-finding.js';
import { bounded, PROBED_BODIES } from './body-parser-finding.js';

type Next = (error?: unknown) => void;
export interface ExpressLayer {
  readonly name?: string;
  readonly route?: unknown;
  readonly handle: (req: unknown, res: unknown, next: Next) => void;
  match?(path: string): boolean;
}
type ProbedRequest = Readable & { headers: Record<string, string>; body?: unknown; rawBody?: unknown };
interface Probe {
  readonly consumed: boolean;
  readonly kept: boolean;
  readonly limit: number | undefined;
}

/** body-parser's middleware names (express.json(), urlencoded(), text(), raw()). */
export const PARSERS = new Set(['jsonParser', 'urlencodedParser', 'textParser', 'rawParser']);

/**
 * The body parsers Express runs before `path`, probed with a small body of each content type: the
 * first that consumes it decides whether its bytes are kept (`req.rawBody`, Nest's `rawBody: true`
 * or a `verify` hook) and, declared at the route's limit, whether the parser's own limit is lower.
 * body-parser keeps its options in a closure, so running it is the only way to know.
 */
export async function expressBodyParserFindings(
  instance: unknown,
  path: string,
  bodyLimit: number,
): Promise<BodyParserFinding[]> {
  const stack = routerStack(instance);
  if (!stack) return [];
  const parsers = stack.filter(
    (layer) => !layer.route && PARSERS.has(layer.name ?? '') && matches(layer, path),
  );
  const findings: BodyParserFinding[] = [];
  for (const [contentType, body] of PROBED_BODIES) {
    const index = await firstConsuming(parsers, contentType, body);
    if (index === -1) continue;
    const parser = parsers[index]!;
    const kept = (await probe(parser, contentType, body, body.length)).kept;
    const { limit } = await probe(parser, contentType, body, bodyLimit);
    const keptLater = await anyKeeps(parsers.slice(index + 1), contentType, body);
    if (kept && limit === undefined) continue;
    findings.push({
      contentType,
      discardsBytes: !kept,
      limit,
      fix: !kept
        ? keptLater
          ? `a ${parser.name} registered before Nest's (app.use() in main.ts) consumes it without keeping its bytes: ` +
            'give it `verify: (req, _res, buf) => { req.rawBody = buf }`, or remove it'
          : 'the app keeps no raw body: create it with `NestFactory.create(AppModule, { rawBody: true })` ' +
            '(a parser you add yourself needs `verify: (req, _res, buf) => { req.rawBody = buf }`)'
        : `raise the parser's limit: \`app.useBodyParser('${parserType(parser.name)}', { limit: ${bodyLimit} })\` ` +
          'before app.init() (Express defaults to 100 KB), or lower bodyLimit to match',
    });
  }
  return findings;
}

const parserType = (name: string | undefined) => (name ?? 'jsonParser').replace(/Parser$/, '');

function matches(layer: ExpressLayer, path: string): boolean {
  try {
    return layer.match?.(path) ?? true;
  } catch {
    return false;
  }
}

async function firstConsuming(layers: ExpressLayer[], contentType: string, body: string): Promise<number> {
  for (const [index, layer] of layers.entries()) {
    if ((await probe(layer, contentType, body, body.length)).consumed) return index;
  }
  return -1;
}

async function anyKeeps(layers: ExpressLayer[], contentType: string, body: string): Promise<boolean> {
  for (const layer of layers) {
    const { consumed, kept } = await probe(layer, contentType, body, body.length);
    if (consumed && kept) return true;
  }
  return false;
}

/** Runs one parser on a stand-in request (a stream with headers; no socket, so on-finished cannot tell it is done). */
function probe(layer: ExpressLayer, contentType: string, body: string, declared: number): Promise<Probe> {
  const req = Object.assign(Readable.from([Buffer.from(body)]), {
    headers: { 'content-type': contentType, 'content-length': String(declared) },
  }) as ProbedRequest;
  return bounded<Probe>(
    (settle) =>
      layer.handle(req, {}, (error?: unknown) => {
        const failure = error as { type?: string; limit?: number } | undefined;
        settle({
          consumed: req.readableEnded || req.body !== undefined || failure !== undefined,
          kept: Buffer.isBuffer(req.rawBody),
          limit: failure?.type === 'entity.too.large' ? failure.limit : undefined,
        });
      }),
    { consumed: false, kept: false, limit: undefined },
  );
}

/** The app's router stack: Express 4's `_router`, Express 5's `router`. */
export function routerStack(instance: unknown): ExpressLayer[] | undefined {
  const app = instance as { router?: { stack?: unknown }; _router?: { stack?: unknown } } | undefined;
  const stack = app?._router?.stack ?? routerOf(app)?.stack;
  return Array.isArray(stack) ? (stack as ExpressLayer[]) : undefined;
}

/** Express 5's `app.router`; on Express 4 that getter throws ("'app.router' is deprecated!"). */
function routerOf(app: { router?: { stack?: unknown } } | undefined): { stack?: unknown } | undefined {
  try {
    return app?.router;
  } catch {
    return undefined;
  }
}
