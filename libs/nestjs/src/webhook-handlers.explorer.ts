import type { OnApplicationBootstrap } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { AnyWebhookScheme, WebhookHandler } from '@verified-webhooks/core';
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
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      if (typeof instance !== 'object' || instance === null) continue;
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
        const name = `${instance.constructor.name}.${methodName}`;
        if (!wrapper.isDependencyTreeStatic()) {
          errors.push(`${name} is on a request-scoped provider; @OnWebhookEvent() needs a singleton.`);
          continue;
        }
        const run: WebhookHandler = (method as WebhookHandler).bind(instance);
        for (const { endpoint, patterns } of entries) {
          if (!endpoints.has(endpoint)) {
            errors.push(
              `${name} handles endpoint "${endpoint}", which no @VerifiedWebhook() route serves (known: ${[...endpoints.keys()].join(', ') || 'none'}).`,
            );
            continue;
          }
          try {
            this.handlers.register(
              endpoint,
              endpoints.get(endpoint),
              patterns,
              entries.length > 1 ? `${name}@${endpoint}` : name,
              run,
            );
          } catch (error) {
            errors.push(error instanceof Error ? error.message : String(error));
          }
        }
      }
    }
    if (errors.length > 0) throw new Error(`verified-webhooks: webhook handlers:\n- ${errors.join('\n- ')}`);
    for (const endpoint of endpoints.keys()) {
      const names = this.handlers.handlersOf(endpoint);
      if (names.length > 0) this.logger.log(`endpoint ${endpoint}: handlers ${names.join(', ')}`);
    }
    // Only now: a queued job must find its handler registered.
    await this.worker.start(workerEndpoints);
  }
}
