import { Injectable, Logger, Optional } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { WebhookMetrics } from '../webhook-metrics.js';
import { webhookRefusal } from '../webhook-refusal.js';
import { WebhookRoutes } from '../webhook-routes.service.js';
import { expressRouteHandlerOf, insertBeforeBodyParsers } from './express-route-of.js';

/** `@RouteConfig()`'s metadata key (@nestjs/platform-fastify, the same in Nest 10, 11 and 12). */
const FASTIFY_ROUTE_CONFIG_METADATA = '__fastify_route_config__';
/** Nest's route path metadata (@Post() and the like): the methods that are routes. */
const PATH_METADATA = 'path';
/** On each webhook method (Nest copies it onto the route's handler), and in its Fastify route config. */
const WEBHOOK_ROUTE = Symbol.for('verified-webhooks.route');

interface TaggedRoute {
  readonly controller: object;
  readonly handler: object;
}
type Done = (error?: unknown, payload?: unknown) => void;
type PreParsing = (request: { raw: IncomingMessage }, reply: unknown, payload: unknown, done: Done) => void;
interface FastifyRouteOptions {
  config?: Record<PropertyKey, unknown>;
  preParsing?: PreParsing | PreParsing[];
}
interface FastifyInstance {
  addHook(name: 'onRoute', hook: (options: FastifyRouteOptions) => void): unknown;
}

/**
 * One answer to a compressed delivery on every platform: the guard's 415 `unsupported_content_encoding`
 * (docs/architecture.md, "Security rules"). The platforms parse before any guard runs, and each answered
 * its own way first: Fastify's JSON parser 400 on the compressed bytes; Express's body-parser 415 with
 * its own message for an encoding it cannot decode, 413 for one that inflates above its limit. On
 * webhook routes only, the refusal is given before the platform parses, built as the guard builds it
 * (logged, counted, through the app's exception filters).
 *
 * Installed by `WebhooksModule.configure()`: Nest runs it once the HTTP adapter exists (in a testing
 * module too) and after its own body parsers, before it registers the routes.
 * - Fastify: an `onRoute` hook adds a `preParsing` hook to each webhook route, recognised by its route
 *   config (Nest hands Fastify the method's `@RouteConfig()` metadata whatever it wraps the handler in;
 *   each decorated method gets one more key there, merged with the app's own).
 * - Express: a middleware placed before the first body parser finds the route Express will dispatch
 *   to, only for a request that has a Content-Encoding, and refuses it when it is a webhook route.
 */
@Injectable()
export class ContentEncodingPolicy {
  private readonly logger = new Logger('VerifiedWebhook');
  private installed = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly routes: WebhookRoutes,
    @Optional() private readonly metrics: WebhookMetrics = WebhookMetrics.disabled,
  ) {}

  install(): void {
    const adapter = this.adapterHost.httpAdapter as
      { getType?(): string; getInstance?(): unknown } | undefined;
    const type = adapter?.getType?.();
    if (this.installed || !adapter?.getInstance || (type !== 'fastify' && type !== 'express')) return;
    this.installed = true;
    const fastify = type === 'fastify';
    this.tagWebhookRoutes(fastify);
    if (fastify) this.installFastify(adapter.getInstance() as FastifyInstance);
    else this.installExpress(adapter.getInstance());
  }

  private tagWebhookRoutes(fastify: boolean): void {
    const { webhook, plain } = this.routeHandlers();
    // A tag left by another app of the process on a method that is not a webhook route in this one.
    for (const handler of plain) {
      Reflect.deleteMetadata(WEBHOOK_ROUTE, handler);
      const config = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as object | undefined;
      if (!config || !(WEBHOOK_ROUTE in config)) continue;
      const { [WEBHOOK_ROUTE]: _ours, ...theirs } = config as Record<PropertyKey, unknown>;
      Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, theirs, handler);
    }
    for (const [handler, controller] of webhook) {
      // Tagged once per method, for every app of the process (tests boot several).
      let tagged = Reflect.getMetadata(WEBHOOK_ROUTE, handler) as TaggedRoute | undefined;
      if (!tagged) Reflect.defineMetadata(WEBHOOK_ROUTE, (tagged = { controller, handler }), handler);
      if (!fastify) continue;
      // Fastify's config of a shared method: Nest reads it when it registers each route.
      const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as object;
      if (WEBHOOK_ROUTE in config) continue;
      Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, [WEBHOOK_ROUTE]: tagged }, handler);
    }
  }

  /**
   * Each route method that is a webhook route on every controller routing it, with the first of them.
   * The tag is on the method, which Nest copies onto each route's handler: a method inherited by a
   * decorated and an undecorated controller is left untagged (the guard still refuses it, after the
   * platform's parser), so no route that is not a webhook is ever refused early. A method inherited by
   * two decorated controllers answers with the first one's options (statusCodes, metric labels).
   */
  private routeHandlers(): { webhook: Map<object, object>; plain: Set<object> } {
    const webhook = new Map<object, object>();
    const plain = new Set<object>();
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (abstract new (...args: never[]) => unknown) | undefined;
      if (!controller?.prototype) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined)
          continue;
        if (!WebhookRoutes.optionsOf(controller, handler)) plain.add(handler);
        else if (!webhook.has(handler)) webhook.set(handler, controller);
      }
    }
    for (const handler of plain) webhook.delete(handler);
    return { webhook, plain };
  }

  private installFastify(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (options) => {
      const tagged = options.config?.[WEBHOOK_ROUTE] as TaggedRoute | undefined;
      if (!tagged) return;
      const existing = options.preParsing;
      const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
      options.preParsing = [
        (request, reply, payload, done) => done(this.refusal(tagged, request.raw, reply), payload),
        ...hooks,
      ];
    });
  }

  private installExpress(app: unknown): void {
    insertBeforeBodyParsers(app, (req: IncomingMessage, res: unknown, next: (error?: unknown) => void) => {
      if (!hasEncoding(req)) return next(); // the common case costs one header read
      const handler = expressRouteHandlerOf(app, req);
      const tagged = handler && (Reflect.getMetadata(WEBHOOK_ROUTE, handler) as TaggedRoute | undefined);
      next(tagged ? this.refusal(tagged, req, res) : undefined);
    });
  }

  /** The guard's refusal for this route, or undefined (the request goes on as it came). */
  private refusal({ controller, handler }: TaggedRoute, message: IncomingMessage, response: unknown) {
    // Looked up per request, not at registration: routes are built (and fail) at the explorer's boot check.
    const route = this.routes.forRoute(controller, handler);
    const refused = route?.receiver.refusalBeforeBody(message);
    if (!route || !refused) return undefined;
    const context = {
      adapter: this.adapterHost.httpAdapter,
      response,
      logger: this.logger,
      metrics: this.metrics,
    };
    return webhookRefusal(refused, route.receiver, context);
  }
}

const hasEncoding = (message: IncomingMessage) => message.headers['content-encoding'] !== undefined;
