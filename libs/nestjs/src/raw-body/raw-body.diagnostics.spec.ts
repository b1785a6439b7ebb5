import type { INestApplication } from '@nestjs/common';
import { Controller, Logger, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import { VerifiedWebhook } from '../verified-webhook.decorator.js';
import { WebhooksModule } from '../webhooks.module.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 31).toString('base64');
const ROUTE = 'HooksController.receive (/hooks/stripe)';

@Controller('hooks')
class HooksController {
  @Post('stripe')
  @VerifiedWebhook('standard-webhooks')
  receive() {
    return 'ok';
  }
}

@Controller('big')
class BigController {
  @Post()
  @VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'big', bodyLimit: 4 * 1024 * 1024 })
  receive() {
    return 'ok';
  }
}

function moduleWith(controllers: unknown[] = [HooksController]) {
  @Module({ imports: [WebhooksModule.forRoot({ secrets: SECRET })], controllers: controllers as never[] })
  class TestModule {}
  return TestModule;
}

/** Boots the app (setup runs between create and init, as main.ts does) and returns the startup warnings. */
async function warningsOf<T extends INestApplication>(
  create: () => Promise<T>,
  setup: (app: T) => void = () => undefined,
): Promise<string[]> {
  const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  const app = await create();
  try {
    setup(app);
    await app.init();
    return warn.mock.calls.map(([message]) => String(message));
  } finally {
    await app.close();
    warn.mockRestore();
  }
}

const onExpress =
  (options: { rawBody?: boolean } = {}, controllers?: unknown[]) =>
  () =>
    NestFactory.create<NestExpressApplication>(moduleWith(controllers), { logger: false, ...options });
const onFastify =
  (
    options: { rawBody?: boolean; bodyParser?: boolean } = {},
    adapter = new FastifyAdapter(),
    controllers?: unknown[],
  ) =>
  () =>
    NestFactory.create<NestFastifyApplication>(moduleWith(controllers), adapter, {
      logger: false,
      ...options,
    });
/** Express parsers with the route's 1 MiB limit, so only the case under test warns. */
const fullLimits = (app: NestExpressApplication) => {
  app.useBodyParser('json', { limit: 1024 * 1024 });
  app.useBodyParser('urlencoded', { limit: 1024 * 1024, extended: true });
};

describe('raw-body boot diagnostics', () => {
  describe('on Express', () => {
    it('names the route and says rawBody: true when the app was created without it', async () => {
      const warnings = await warningsOf(onExpress({ rawBody: false }), fullLimits);
      expect(warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${escape(ROUTE)}: application/json deliveries cannot be verified.*rawBody: true`),
        ),
      );
    });

    it("names a hand-added express.json() without a verify hook, ahead of Nest's parser", async () => {
      const warnings = await warningsOf(onExpress({ rawBody: true }), (app) => {
        app.use(express.json({ limit: 1024 * 1024 }));
        fullLimits(app);
      });
      expect(warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${escape(ROUTE)}: application/json .*jsonParser registered before Nest's.*verify`),
        ),
      );
      expect(warnings.join('\n')).not.toMatch(/create it with `NestFactory.create/);
    });

    it("says the parser's limit is below the route's bodyLimit (Express's 100 KB default), with app.useBodyParser", async () => {
      const warnings = await warningsOf(onExpress({ rawBody: true }));
      expect(warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^${escape(ROUTE)}: application/json bodies over 102400 bytes are refused 413.*useBodyParser\\('json'`,
          ),
        ),
      );
    });

    it('is quiet when the app keeps the raw body and the parsers allow the route limit', async () => {
      expect(await warningsOf(onExpress({ rawBody: true }), fullLimits)).toEqual([]);
    });
  });

  describe('on Fastify', () => {
    it('names the route and says rawBody: true when the app was created without it', async () => {
      const warnings = await warningsOf(onFastify({ rawBody: false }));
      expect(warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${escape(ROUTE)}: application/json deliveries cannot be verified.*rawBody: true`),
        ),
      );
    });

    it('names bodyParser: false', async () => {
      const warnings = await warningsOf(onFastify({ rawBody: true, bodyParser: false }));
      expect(warnings).toContainEqual(
        expect.stringMatching(new RegExp(`^${escape(ROUTE)}: application/json .*bodyParser: false`)),
      );
    });

    it("names the built-in text/plain parser that wins over a '*' buffer parser, and is quiet once it is removed", async () => {
      const withCatchAll = (removeText: boolean) => {
        const adapter = new FastifyAdapter();
        if (removeText) adapter.getInstance().removeContentTypeParser('text/plain');
        adapter.getInstance().addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
          (req as { rawBody?: Buffer }).rawBody = body as Buffer;
          done(null, body);
        });
        return adapter;
      };
      const warnings = await warningsOf(onFastify({ rawBody: true }, withCatchAll(false)));
      expect(warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${escape(ROUTE)}: text/plain .*removeContentTypeParser\\('text/plain'\\)`),
        ),
      );
      expect(await warningsOf(onFastify({ rawBody: true }, withCatchAll(true)))).toEqual([]);
    });

    it("says Fastify's bodyLimit is below a route's bodyLimit", async () => {
      const warnings = await warningsOf(onFastify({ rawBody: true }, new FastifyAdapter(), [BigController]));
      expect(warnings).toContainEqual(
        expect.stringMatching(
          /^BigController.receive \(\/big\): application\/json bodies over 1048576 bytes .*FastifyAdapter\(\{ bodyLimit \}\)/,
        ),
      );
    });

    it('is quiet when the app keeps the raw body', async () => {
      expect(await warningsOf(onFastify({ rawBody: true }))).toEqual([]);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
