import type { IncomingMessage } from 'node:http';
import type { ExpressLayer } from './express-body-parsers.js';
import { PARSERS, routerStack } from './express-body-parsers.js';

type Middleware = (req: IncomingMessage, res: unknown, next: (error?: unknown) => void) => void;
interface ExpressRoute {
  readonly stack?: readonly { readonly method?: string; readonly handle?: unknown }[];
  _handlesMethod?(method: string): boolean; // Express 5 (router 2)
  _handles_method?(method: string): boolean; // Express 4
}

/**
 * Mounts `middleware` on the app, then moves it before the first body parser (Nest's, or one added
 * with `app.use()` / `useBodyParser()` before `app.init()`): Express runs its stack in order, and a
 * parser that inflates or refuses the body would answer before the route's guard.
 */
export function insertBeforeBodyParsers(instance: unknown, middleware: Middleware): void {
  const app = instance as { use(middleware: Middleware): unknown };
  app.use(middleware);
  const stack = routerStack(instance);
  if (!stack) return;
  const ours = stack.findIndex((layer) => layer.handle === (middleware as unknown));
  const firstParser = stack.findIndex((layer) => !layer.route && PARSERS.has(layer.name ?? ''));
  if (ours === -1 || firstParser === -1 || firstParser > ours) return;
  const [layer] = stack.splice(ours, 1);
  stack.splice(firstParser, 0, layer!);
}

/**
 * The handler of the route Express will dispatch `req` to: the first route layer of the app's stack
 * that matches the path and handles the method, as Express's router picks it. Undefined when none does.
 */
export function expressRouteHandlerOf(instance: unknown, req: IncomingMessage): object | undefined {
  const stack = routerStack(instance);
  if (!stack) return undefined;
  const path = (req.url ?? '/').split('?')[0]!;
  const method = (req.method ?? 'GET').toLowerCase();
  for (const layer of stack) {
    const route = layer.route as ExpressRoute | undefined;
    if (!route || !handles(route, method) || !matches(layer, path)) continue;
    const handle = route.stack?.find((entry) => !entry.method || entry.method === method)?.handle;
    return typeof handle === 'function' ? handle : undefined;
  }
  return undefined;
}

function handles(route: ExpressRoute, method: string): boolean {
  if (route._handlesMethod) return route._handlesMethod(method);
  return route._handles_method?.(method) ?? false;
}

function matches(layer: ExpressLayer, path: string): boolean {
  try {
    return layer.match?.(path) ?? false;
  } catch {
    return false; // a malformed escape in the path: Express answers it itself
  }
}
