import type { Row } from './rows.js';

/**
 * One consumer app's files, as `nest new` of the row's major scaffolds them: package.json scripts and
 * jest config, tsconfig.json, tsconfig.build.json, test/jest-e2e.json or vitest.config(.e2e).ts are
 * copied from the `@nestjs/schematics` application template of that major (`ts` for 10 and 11,
 * `ts-esm` for 12), with the starter's `strict` choice filled in. The app: a Stripe endpoint on
 * `@VerifiedWebhook('stripe')`, a handler that records what it processed, and an app-wide filter that
 * records each refusal's cause as the class the app imports from core (one copy of core, or not).
 */
export const STRIPE_TEST_SECRET = 'whsec_consumer_matrix_0123456789abcdef';

export function appFiles(row: Row, tarballs: { core: string; nestjs: string }): Record<string, string> {
  const esm = row.format === 'esm';
  const js = esm ? '.js' : ''; // relative import suffix: NodeNext ESM needs it, the CJS starters do not use it
  const fastify = row.platform === 'fastify';
  const files: Record<string, string> = {
    'package.json': json(packageJson(row, tarballs)),
    'nest-cli.json': json({
      $schema: 'https://json.schemastore.org/nest-cli',
      collection: '@nestjs/schematics',
      sourceRoot: 'src',
      compilerOptions: { deleteOutDir: true },
    }),
    'tsconfig.json': json(tsconfig(row)),
    'tsconfig.build.json': json(
      row.nest === 12
        ? {
            extends: './tsconfig.json',
            compilerOptions: { rootDir: './src' },
            include: ['src'],
            exclude: ['node_modules', 'test', 'dist', '**/*spec.ts'],
          }
        : { extends: './tsconfig.json', exclude: ['node_modules', 'test', 'dist', '**/*spec.ts'] },
    ),
    'src/webhook-secret.ts': `/** The Stripe endpoint's signing secret; the fallback is the tests'. */
export const STRIPE_SECRET = process.env.STRIPE_WEBHOOK_SECRET ?? '${STRIPE_TEST_SECRET}';
`,
    'src/processed-events.ts': `import { Injectable } from '@nestjs/common';

@Injectable()
export class ProcessedEvents {
  /** The ids the handler processed, in order. */
  readonly ids: string[] = [];
  /** Each refusal the app's filter saw: its reason, or 'not-core-error' if its cause is not core's class. */
  readonly refusals: string[] = [];
}
`,
    'src/refusal.filter.ts': `import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebhookVerificationError } from '@verified-webhooks/core';
import { ProcessedEvents } from './processed-events${js}';

/** The app's own code checks the refusal's cause against the class it imports from core. */
@Catch(HttpException)
export class RefusalFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly processed: ProcessedEvents,
  ) {}

  catch(exception: HttpException, host: ArgumentsHost): void {
    const cause: unknown = exception.cause;
    this.processed.refusals.push(cause instanceof WebhookVerificationError ? cause.reason : 'not-core-error');
    const response: unknown = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.reply(response, exception.getResponse(), exception.getStatus());
  }
}
`,
    'src/stripe-webhooks.controller.ts': `import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { VerifiedWebhook, WebhookEvent } from '@verified-webhooks/nestjs';
import type { VerifiedWebhookEvent } from '@verified-webhooks/nestjs';
import { ProcessedEvents } from './processed-events${js}';

@Controller('webhooks')
export class StripeWebhooksController {
  constructor(private readonly processed: ProcessedEvents) {}

  @Post('stripe')
  @HttpCode(200)
  @VerifiedWebhook('stripe')
  handle(@WebhookEvent() event: VerifiedWebhookEvent<{ id: string; type: string }>) {
    const id = event.id ?? 'no id';
    this.processed.ids.push(id);
    return { received: id };
  }

  /** What the handler processed and the refusals the filter saw: for the tests. */
  @Get('processed')
  list() {
    return { ids: this.processed.ids, refusals: this.processed.refusals };
  }
}
`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { secretsByEndpoint } from '@verified-webhooks/core';
import { WebhooksModule } from '@verified-webhooks/nestjs';
${row.terminus ? `import { TerminusModule } from '@nestjs/terminus';\nimport { HealthController } from './health.controller${js}';\n` : ''}import { ProcessedEvents } from './processed-events${js}';
import { RefusalFilter } from './refusal.filter${js}';
import { StripeWebhooksController } from './stripe-webhooks.controller${js}';
import { STRIPE_SECRET } from './webhook-secret${js}';

@Module({
  imports: [
    WebhooksModule.forRoot({ secrets: secretsByEndpoint({ stripe: STRIPE_SECRET }) }),${row.terminus ? '\n    TerminusModule,' : ''}
  ],
  controllers: [StripeWebhooksController${row.terminus ? ', HealthController' : ''}],
  providers: [${row.terminus ? 'ReplayStoreHealthIndicator, ' : ''}ProcessedEvents, { provide: APP_FILTER, useClass: RefusalFilter }],
})
export class AppModule {}
`.replace(
      "import { WebhooksModule } from '@verified-webhooks/nestjs';\n",
      row.terminus
        ? "import { WebhooksModule } from '@verified-webhooks/nestjs';\nimport { ReplayStoreHealthIndicator } from '@verified-webhooks/nestjs/terminus';\n"
        : "import { WebhooksModule } from '@verified-webhooks/nestjs';\n",
    ),
    'src/main.ts': `import { NestFactory } from '@nestjs/core';
${fastify ? "import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';\n" : ''}import { AppModule } from './app.module${js}';

async function bootstrap() {
  const app = await NestFactory.create${fastify ? '<NestFastifyApplication>' : ''}(AppModule, ${fastify ? 'new FastifyAdapter(), ' : ''}{ rawBody: true });
  await app.listen(process.env.PORT ?? 3000, '127.0.0.1');
  console.log(\`listening on \${await app.getUrl()}\`);
}
${esm ? 'await bootstrap();' : 'bootstrap();'}
`,
    'test/stripe-webhooks.e2e-spec.ts': e2eSpec(row, js),
  };
  if (row.terminus) {
    files['src/health.controller.ts'] = `import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ReplayStoreHealthIndicator } from '@verified-webhooks/nestjs/terminus';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly replayStore: ReplayStoreHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.replayStore.isHealthy()]);
  }
}
`;
  }
  if (row.runner === 'jest') {
    files['test/jest-e2e.json'] = json({
      moduleFileExtensions: ['js', 'json', 'ts'],
      rootDir: '.',
      testEnvironment: 'node',
      testRegex: '.e2e-spec.ts$',
      transform: { '^.+\\.(t|j)s$': 'ts-jest' },
    });
  } else {
    const config = (include: string) => `import { defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    globals: true,
    root: './',
    include: ['${include}'],
  },
});
`;
    files['vitest.config.ts'] = config('**/*.spec.ts');
    files['vitest.config.e2e.ts'] = config('**/*.e2e-spec.ts');
  }
  return files;
}

function e2eSpec(row: Row, js: string): string {
  const esm = row.format === 'esm';
  const fastify = row.platform === 'fastify';
  // Stripe's CJS build is `export =`: the CJS starters (Nest 10 has no esModuleInterop) import it so.
  const imports = [
    "import { Test } from '@nestjs/testing';",
    fastify
      ? "import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';"
      : "import { INestApplication } from '@nestjs/common';",
    row.nest === 10 ? "import * as request from 'supertest';" : "import request from 'supertest';",
    esm ? "import Stripe from 'stripe';" : "import Stripe = require('stripe');",
    "import { stripe } from '@verified-webhooks/core';",
    "import { sign } from '@verified-webhooks/core/testing';",
    `import { AppModule } from '../src/app.module${js}';`,
    `import { ProcessedEvents } from '../src/processed-events${js}';`,
    `import { STRIPE_SECRET } from '../src/webhook-secret${js}';`,
  ];
  return `${imports.join('\n')}

describe('Stripe webhooks (e2e)', () => {
  let app: ${fastify ? 'NestFastifyApplication' : 'INestApplication'};

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication${fastify ? '<NestFastifyApplication>(new FastifyAdapter(), ' : '('}{ rawBody: true });
    await app.init();${fastify ? '\n    await app.getHttpAdapter().getInstance().ready();' : ''}
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (body: string, signature: string) =>
    request(app.getHttpServer())
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signature)
      .send(body);

  it('processes a delivery signed by Stripe once, answers its duplicate, refuses it tampered', async () => {
    const body = JSON.stringify({ id: 'evt_e2e_1', object: 'event', type: 'invoice.paid' });
    const signature = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });

    const first = await post(body, signature);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: 'evt_e2e_1' });
    const duplicate = await post(body, signature);
    expect(duplicate.status).toBe(200);
    expect(duplicate.body).toEqual({ duplicate: true });
    const tampered = await post(body.replace('paid', 'void'), signature);
    expect(tampered.status).toBe(401);
    expect(tampered.body).toMatchObject({ error: 'signature_mismatch' });

    const processed = app.get(ProcessedEvents);
    expect(processed.ids).toEqual(['evt_e2e_1']);
    // The refusal nestjs threw carries the WebhookVerificationError class this test's app imports: one core.
    expect(processed.refusals).toEqual(['signature_mismatch']);
  });

  it('accepts a delivery signed by the kit in @verified-webhooks/core/testing', async () => {
    const body = JSON.stringify({ id: 'evt_e2e_2', object: 'event', type: 'invoice.paid' });
    const { headers } = sign(stripe(), { secret: STRIPE_SECRET, body });
    const answer = await post(body, headers['stripe-signature']!);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ received: 'evt_e2e_2' });
  });${
    row.terminus
      ? `

  it('serves the replay store health through @verified-webhooks/nestjs/terminus', async () => {
    const health = await request(app.getHttpServer()).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', info: { replayStore: { status: 'up' } } });
  });`
      : ''
  }
});
`;
}

function packageJson(row: Row, tarballs: { core: string; nestjs: string }) {
  const scripts: Record<string, string> = {
    build: 'nest build',
    start: 'nest start',
    'start:prod': 'node dist/main',
  };
  if (row.runner === 'jest') {
    Object.assign(scripts, { test: 'jest', 'test:e2e': 'jest --config ./test/jest-e2e.json' });
  } else {
    Object.assign(scripts, { test: 'vitest run', 'test:e2e': 'vitest run --config ./vitest.config.e2e.ts' });
  }
  return {
    name: `vw-consumer-${row.id}`,
    version: '0.0.1',
    private: true,
    license: 'UNLICENSED',
    ...(row.format === 'esm' ? { type: 'module' } : {}),
    scripts,
    dependencies: {
      '@verified-webhooks/core': `file:${tarballs.core}`,
      '@verified-webhooks/nestjs': `file:${tarballs.nestjs}`,
      ...row.dependencies,
    },
    devDependencies: row.devDependencies,
    ...(row.runner === 'jest'
      ? {
          jest: {
            moduleFileExtensions: ['js', 'json', 'ts'],
            rootDir: 'src',
            testRegex: '.*\\.spec\\.ts$',
            transform: { '^.+\\.(t|j)s$': 'ts-jest' },
            collectCoverageFrom: ['**/*.(t|j)s'],
            coverageDirectory: '../coverage',
            testEnvironment: 'node',
          },
        }
      : {}),
  };
}

/** The starter's tsconfig.json of the row's major, verbatim but for `strict`. */
function tsconfig(row: Row) {
  const strict = row.strict;
  if (row.nest === 10) {
    return {
      compilerOptions: {
        module: 'commonjs',
        declaration: true,
        removeComments: true,
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
        allowSyntheticDefaultImports: true,
        target: 'ES2021',
        sourceMap: true,
        outDir: './dist',
        baseUrl: './',
        incremental: true,
        skipLibCheck: true,
        strictNullChecks: strict,
        noImplicitAny: strict,
        strictBindCallApply: strict,
        forceConsistentCasingInFileNames: strict,
        noFallthroughCasesInSwitch: strict,
      },
    };
  }
  // Nest 11's ts starter and Nest 12's ts-esm starter share these; they differ in what follows.
  const nodenext = {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    resolvePackageJsonExports: true,
    esModuleInterop: true,
    isolatedModules: true,
    declaration: true,
    removeComments: true,
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    allowSyntheticDefaultImports: true,
    target: 'ES2023',
    sourceMap: true,
    outDir: './dist',
  };
  if (row.nest === 11) {
    return {
      compilerOptions: {
        ...nodenext,
        baseUrl: './',
        incremental: true,
        skipLibCheck: true,
        strictNullChecks: true,
        forceConsistentCasingInFileNames: true,
        noImplicitAny: strict,
        strictBindCallApply: strict,
        noFallthroughCasesInSwitch: strict,
      },
    };
  }
  return {
    compilerOptions: {
      ...nodenext,
      rootDir: '.',
      incremental: true,
      skipLibCheck: true,
      strict,
      strictPropertyInitialization: false,
      types: ['vitest/globals', 'node'],
    },
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
