import { Inject, Injectable, Logger } from '@nestjs/common';
import { resolveScheme, toSecretResolver, WebhookVerifier } from '@verified-webhooks/core';
import type { ReplayStore, SecretResolver } from '@verified-webhooks/core';
import type { VerifiedWebhookOptions, WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
import {
  ReplayStore as ReplayStoreToken,
  SecretResolver as SecretResolverToken,
  VERIFIED_WEBHOOK_METADATA,
} from './webhooks.tokens.js';

/** A route's verifier with the settings the guard needs beside it. */
export interface RouteVerifier {
  readonly verifier: WebhookVerifier;
  readonly resolver: SecretResolver;
  readonly route: VerifiedWebhookOptions;
  readonly bodyLimit: number;
}

/** A controller class or handler method: anything metadata is set on. */
export type RouteTarget = object;

const NO_SECRETS: SecretResolver = { resolve: () => undefined };

/** Builds one WebhookVerifier per route (from its metadata and the module options) and keeps it. */
@Injectable()
export class WebhookVerifiers {
  private readonly logger = new Logger('VerifiedWebhook');
  /** By controller class, then handler: a handler inherited by two decorated subclasses has two verifiers. */
  private readonly byRoute = new WeakMap<object, WeakMap<object, RouteVerifier>>();

  constructor(
    @Inject(WEBHOOKS_MODULE_OPTIONS) private readonly options: WebhooksModuleOptions,
    @Inject(ReplayStoreToken) private readonly store: ReplayStore | false,
    @Inject(SecretResolverToken) private readonly moduleResolver: SecretResolver | null,
  ) {}

  /** The route's options: method metadata wins over class metadata. */
  static routeOptions(controller: RouteTarget, handler: RouteTarget): VerifiedWebhookOptions | undefined {
    return (
      (Reflect.getMetadata(VERIFIED_WEBHOOK_METADATA, handler) as VerifiedWebhookOptions | undefined) ??
      (Reflect.getMetadata(VERIFIED_WEBHOOK_METADATA, controller) as VerifiedWebhookOptions | undefined)
    );
  }

  forRoute(controller: RouteTarget, handler: RouteTarget): RouteVerifier | undefined {
    let handlers = this.byRoute.get(controller);
    const cached = handlers?.get(handler);
    if (cached) return cached;
    const route = WebhookVerifiers.routeOptions(controller, handler);
    if (!route) return undefined;
    const built = this.build(route);
    if (!handlers) this.byRoute.set(controller, (handlers = new WeakMap()));
    handlers.set(handler, built);
    return built;
  }

  private build(route: VerifiedWebhookOptions): RouteVerifier {
    const options = this.options;
    const scheme = resolveScheme(route.scheme);
    const resolver =
      route.secrets !== undefined ? toSecretResolver(route.secrets) : (this.moduleResolver ?? NO_SECRETS);
    const replayOn = route.replay !== false && this.store !== false;
    const verifier = new WebhookVerifier({
      scheme,
      secrets: resolver,
      endpoint: route.endpoint,
      toleranceMs: route.toleranceMs ?? options.toleranceMs,
      clock: options.clock,
      maxHeaderLength: options.maxHeaderLength,
      maxSignatures: options.maxSignatures,
      replay:
        replayOn && this.store
          ? {
              store: this.store,
              windowMs: options.replayWindowMs,
              leaseMs: options.leaseMs,
              keyPrefix: options.keyPrefix,
              failOpen: options.failOpen,
            }
          : false,
      onWarning: (message) => this.logger.warn(message),
    });
    return {
      verifier,
      resolver,
      route,
      bodyLimit: route.bodyLimit ?? options.bodyLimit ?? 1024 * 1024,
    };
  }
}
