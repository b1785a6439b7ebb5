import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AnyWebhookScheme, ReplayStore, SecretResolver } from '@verified-webhooks/core';
import {
  resolveScheme,
  toSecretResolver,
  WebhookHttpReceiver,
  WebhookVerifier,
} from '@verified-webhooks/core';
import type { VerifiedWebhookOptions, WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
import {
  ReplayStore as ReplayStoreToken,
  SecretResolver as SecretResolverToken,
  VERIFIED_WEBHOOK_METADATA,
} from './webhooks.tokens.js';

/** A decorated route: its options, its resolver, and the HTTP receiver that verifies for it. */
export interface WebhookRoute {
  readonly options: VerifiedWebhookOptions;
  /** Acknowledged once queued; the worker runs the handlers. */
  readonly durable: boolean;
  /** The route's method takes `@Res()` or `@Next()` (without passthrough): Nest sends nothing for it. */
  readonly answersItself: boolean;
  readonly resolver: SecretResolver;
  readonly receiver: WebhookHttpReceiver;
}

const NO_SECRETS: SecretResolver = { resolve: () => undefined };

/** Builds one receiver per decorated route (from its metadata and the module options) and keeps it. */
@Injectable()
export class WebhookRoutes {
  private readonly logger = new Logger('VerifiedWebhook');
  /** By controller class, then handler: a handler inherited by two decorated subclasses has two routes. */
  private readonly byRoute = new WeakMap<object, WeakMap<object, WebhookRoute>>();
  /** Every endpoint a built route serves, with the scheme of the first route that serves it. */
  private readonly schemeByEndpoint = new Map<string, AnyWebhookScheme>();
  private readonly durableEndpoints = new Set<string>();

  constructor(
    @Inject(WEBHOOKS_MODULE_OPTIONS) private readonly options: WebhooksModuleOptions,
    @Inject(ReplayStoreToken) private readonly store: ReplayStore | false,
    @Inject(SecretResolverToken) private readonly moduleResolver: SecretResolver | null,
  ) {}

  /** The route's options: method metadata wins over class metadata. */
  static optionsOf(controller: object, handler: object): VerifiedWebhookOptions | undefined {
    return (
      (Reflect.getMetadata(VERIFIED_WEBHOOK_METADATA, handler) as VerifiedWebhookOptions | undefined) ??
      (Reflect.getMetadata(VERIFIED_WEBHOOK_METADATA, controller) as VerifiedWebhookOptions | undefined)
    );
  }

  forRoute(controller: object, handler: object): WebhookRoute | undefined {
    let handlers = this.byRoute.get(controller);
    const cached = handlers?.get(handler);
    if (cached) return cached;
    const options = WebhookRoutes.optionsOf(controller, handler);
    if (!options) return undefined;
    const built = { ...this.build(options), answersItself: answersItself(controller, handler) };
    if (!handlers) this.byRoute.set(controller, (handlers = new WeakMap()));
    handlers.set(handler, built);
    return built;
  }

  /** The endpoints of the routes built so far (all of them once the app has booted). */
  endpoints(): ReadonlyMap<string, AnyWebhookScheme> {
    return this.schemeByEndpoint;
  }

  /** The endpoints of durable routes (`processing: 'queue'`). */
  durable(): ReadonlySet<string> {
    return this.durableEndpoints;
  }

  private build(route: VerifiedWebhookOptions): Omit<WebhookRoute, 'answersItself'> {
    const { scheme, endpoint, secrets, tenantParam, replay, processing, ...routeOverrides } = route;
    // `secrets: process.env.X` of an unset variable is a boot error, not a silent fallback to the module's.
    const resolver = 'secrets' in route ? toSecretResolver(secrets) : (this.moduleResolver ?? NO_SECRETS);
    // One vocabulary: a route's options override the module's of the same name.
    const options = { ...this.options, ...routeOverrides };
    const verifier = new WebhookVerifier({
      ...options,
      scheme: resolveScheme(scheme),
      secrets: resolver,
      endpoint,
      replayStore: replay === false ? false : this.store,
      onWarning: (message) => this.logger.warn(message),
    });
    if (!this.schemeByEndpoint.has(verifier.endpoint)) {
      this.schemeByEndpoint.set(verifier.endpoint, verifier.scheme);
    }
    const durable = (processing ?? this.options.processing) === 'queue';
    if (durable) this.durableEndpoints.add(verifier.endpoint);
    return {
      options: route,
      durable,
      resolver,
      receiver: new WebhookHttpReceiver(verifier, { ...options, tenantParam }),
    };
  }
}

/** Nest's own test for a route that writes its response itself (router-execution-context's isResponseHandled). */
function answersItself(controller: object, handler: object): boolean {
  const name = (handler as { name?: string }).name;
  if (!name) return false;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, unknown>;
  const takesResponse = Object.keys(args).some((key) => /^[12]:/.test(key)); // RESPONSE = 1, NEXT = 2
  return takesResponse && Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, name) !== true;
}

const ROUTE_ARGS_METADATA = '__routeArguments__';
const RESPONSE_PASSTHROUGH_METADATA = '__responsePassthrough__';
