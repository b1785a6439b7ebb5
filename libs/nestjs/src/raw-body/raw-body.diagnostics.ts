import type { OnApplicationBootstrap } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { WebhookRoutesExplorer } from '../webhook-routes.explorer.js';
import type { BodyParserFinding } from './body-parser-finding.js';
import { expressBodyParserFindings } from './express-body-parsers.js';
import { fastifyBodyParserFindings } from './fastify-body-parsers.js';

/**
 * At bootstrap (body parsers and routes are registered by then): names each webhook route whose
 * raw bytes a platform parser would discard, or whose parser limit is below the route's, with the
 * fix. A warning, not an error: the app may never receive that content type. See
 * docs/architecture.md ("Boot checks").
 */
@Injectable()
export class RawBodyDiagnostics implements OnApplicationBootstrap {
  private readonly logger = new Logger('VerifiedWebhook');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ApplicationConfig,
    private readonly explorer: WebhookRoutesExplorer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const adapter = this.adapterHost.httpAdapter as
      { getType?(): string; getInstance?(): unknown; isParserRegistered?: boolean } | undefined;
    if (!adapter?.getInstance) return; // an application context without HTTP
    const type = adapter.getType?.();
    const prefix = this.config.getGlobalPrefix();
    for (const route of this.explorer.found) {
      const path = prefix ? `/${prefix.replace(/^\/|\/$/g, '')}${route.path}` : route.path;
      const findings =
        type === 'express'
          ? await expressBodyParserFindings(adapter.getInstance(), path, route.bodyLimit)
          : type === 'fastify'
            ? await fastifyBodyParserFindings(
                adapter.getInstance(),
                adapter.isParserRegistered !== false,
                route.bodyLimit,
              )
            : [];
      findings.forEach((finding) => this.logger.warn(describe(route.name, path, route.bodyLimit, finding)));
    }
  }
}

function describe(name: string, path: string, bodyLimit: number, finding: BodyParserFinding): string {
  const what = finding.discardsBytes
    ? `${finding.contentType} deliveries cannot be verified (refused 500 raw_body_unavailable)`
    : `${finding.contentType} bodies over ${finding.limit} bytes are refused 413 by the platform's parser, below the route's bodyLimit of ${bodyLimit}`;
  return `${name} (${path}): ${what}: ${finding.fix}.`;
}
