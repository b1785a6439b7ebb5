import type { OnApplicationBootstrap } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { AnyWebhookScheme, WebhookHandler } from '@verified-webhooks/core';
import { resolveScheme } from '@verified-webhooks/core';
import type { WebhookHandlerMetadata } from './on-webhook-event.decorator.js';
import { ON_WEBHOOK_EVENT_METADATA } from './on-webhook-event.decorator.js';
import { WebhookHandlers } from './webhook-handlers.service.js';
import { WebhookRoutes } from './webhook-routes.service.js';
import { WebhookWorker } from './webhook-worker.service.js';

/**
 * At boot, after every module's routes are known: finds each `@OnWebhookEvent()` method of any
 * provider or controller and registers it by endpoint, then starts the worker of durable routes. A handler for an endpoint no route serves, or
 * on a request-scoped provider (there is no instance to call), stops the app with its name.
 */
@Injectable()
export class WebhookHandlersExplorer implements OnApplicationBootstrap {
  private readonly logger = new Logger('VerifiedWebhook');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly routes: WebhookRoutes,
    private readonly handlers: WebhookHandlers,
    private readonly worker: WebhookWorker,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const workerEndpoints = this.worker.endpoints(this.routes.durable());
    const endpoints = new Map<string, AnyWebhookScheme | undefined>(this.routes.endpoints());
    for (const endpoint of workerEndpoints) if (!endpoints.has(endpoint)) endpoints.set(endpoint, undefined);
    const errors: string[] = [];
    // An alias (useExisting) or an export seen from several modules is one instance: registered once.
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      if (typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
      if (!prototype) continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = prototype[methodName];
        if (typeof method !== 'function') continue;
        const entries = this.reflector.get<WebhookHandlerMetadata[] | undefined>(
          ON_WEBHOOK_EVENT_METADATA,
          method,
        );
        if (!entries) continue;
        const where = `${instance.constructor.name}.${methodName}`;
        if (!wrapper.isDependencyTreeStatic()) {
          errors.push(`${where} is on a request-scoped provider; @OnWebhookEvent() needs a singleton.`);
          continue;
        }
        errors.push(...schemeMismatches(where, entries, endpoints));
        const run: WebhookHandler = (method as WebhookHandler).bind(instance);
        for (const [endpoint, { patterns, name }] of byEndpoint(entries)) {
          if (!endpoints.has(endpoint)) {
            errors.push(
              `${where} handles endpoint "${endpoint}", which no @VerifiedWebhook() route serves (known: ${[...endpoints.keys()].join(', ') || 'none'}).`,
            );
            continue;
          }
          try {
            this.handlers.register(endpoint, endpoints.get(endpoint), patterns, name ?? where, run);
          } catch (error) {
            const why = error instanceof Error ? error.message : String(error);
            errors.push(`${why} Give one a name: @OnWebhookEvent(endpoint, types, { name }).`);
          }
        }
      }
    }
    this.handlers.ready();
    if (errors.length > 0) throw new Error(`verified-webhooks: webhook handlers:\n- ${errors.join('\n- ')}`);
    for (const endpoint of endpoints.keys()) {
      const names = this.handlers.handlersOf(endpoint);
      if (names.length > 0) this.logger.log(`endpoint ${endpoint}: handlers ${names.join(', ')}`);
    }
    // Only now: a queued job must find its handler registered.
    await this.worker.start(workerEndpoints);
  }
}

/**
 * `@OnWebhookEvent(endpoint, types, { scheme })` types the event by that scheme (`event.id: string` for
 * the Standard Webhooks family): a route of the endpoint with another scheme would make the type a lie.
 */
function schemeMismatches(
  where: string,
  entries: readonly WebhookHandlerMetadata[],
  endpoints: ReadonlyMap<string, AnyWebhookScheme | undefined>,
): string[] {
  const mismatches: string[] = [];
  for (const { endpoint, scheme } of entries) {
    const served = endpoints.get(endpoint);
    if (scheme === undefined || served === undefined) continue;
    const declared = resolveScheme(scheme).name;
    if (declared !== served.name) {
      mismatches.push(
        `${where} is typed for scheme ${declared} on endpoint "${endpoint}", whose routes use ${served.name}.`,
      );
    }
  }
  return mismatches;
}

/** A method's decorators by endpoint: several on one endpoint are one handler with all their patterns. */
function byEndpoint(
  entries: readonly WebhookHandlerMetadata[],
): Map<string, { patterns: string[]; name: string | undefined }> {
  const merged = new Map<string, { patterns: string[]; name: string | undefined }>();
  for (const { endpoint, patterns, name } of entries) {
    const entry = merged.get(endpoint);
    if (entry) {
      entry.patterns.push(...patterns);
      entry.name ??= name;
    } else merged.set(endpoint, { patterns: [...patterns], name });
  }
  return merged;
}
