import type { OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { checkSecrets } from '@verified-webhooks/core';
import { WebhookRoutes } from './webhook-routes.service.js';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';

/**
 * At boot: finds every @VerifiedWebhook() route, builds its verifier (so an unknown scheme fails at
 * start, not at the first delivery), checks its known secrets and logs the routes.
 */
/** A decorated route as the boot diagnostics name it: `Class.method`, its path (no global prefix), its limit. */
export interface FoundWebhookRoute {
  readonly name: string;
  readonly path: string;
  readonly bodyLimit: number;
}

@Injectable()
export class WebhookRoutesExplorer implements OnModuleInit {
  private readonly logger = new Logger('VerifiedWebhook');
  /** Every decorated route, once the module has initialised. */
  readonly found: FoundWebhookRoute[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly routes: WebhookRoutes,
    @Inject(WEBHOOKS_MODULE_OPTIONS) private readonly options: WebhooksModuleOptions,
  ) {}

  onModuleInit(): void {
    const errors: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const route = this.routes.forRoute(wrapper.metatype, handler);
        if (!route) continue;
        const { resolver } = route;
        const verifier = route.receiver.verifier;
        this.found.push({
          name: `${wrapper.metatype.name}.${name}`,
          path: routePath(wrapper.metatype, handler),
          bodyLimit: route.receiver.bodyLimit,
        });
        this.logger.log(
          `${wrapper.metatype.name}.${name}: scheme ${verifier.scheme.name}, endpoint ${verifier.endpoint}` +
            (verifier.toleranceMs ? `, tolerance ${verifier.toleranceMs} ms` : ', no timestamp'),
        );
        if (this.options.checkSecretsAtBoot === false) continue;
        const report = checkSecrets(verifier.scheme, resolver, verifier.endpoint);
        report.warnings.forEach((warning) => this.logger.warn(warning));
        errors.push(...report.errors);
      }
    }
    if (errors.length > 0) {
      throw new Error(`verified-webhooks: unusable webhook secrets:\n- ${errors.join('\n- ')}`);
    }
  }
}

/** Nest's PATH_METADATA of the controller and the method, joined (the first of each when listed). */
function routePath(controller: object, handler: object): string {
  const first = (target: object) => {
    const path = Reflect.getMetadata('path', target) as string | string[] | undefined;
    return (Array.isArray(path) ? path[0] : path) ?? '';
  };
  const joined = [first(controller), first(handler)]
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}
