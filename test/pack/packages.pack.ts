import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Packaging proven (run after `npm run build`, as `npm run test:pack` does): both libraries are
 * packed, installed as tarballs into a separate Nest app with @nestjs/* from the npm registry (the
 * local cache first), and that app passes a signed delivery and refuses a tampered one.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const NEST_VERSION = '12.5.1';

interface PackResult {
  name: string;
  filename: string;
  files: { path: string }[];
}
type Target = { types: string; default: string };
interface Manifest {
  name: string;
  version: string;
  main: string;
  types: string;
  typesVersions?: Record<string, Record<string, string[]>>;
  bin?: Record<string, string>;
  exports: Record<string, string | Record<'module-sync' | 'import' | 'require', Target>>;
  files: string[];
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dependencies?: Record<string, string>;
}

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The tiny app: plain ESM JavaScript, decorators applied with Reflect.decorate (no compiler). */
const MAIN_JS = `import 'reflect-metadata';
import { Catch, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { APP_FILTER, BaseExceptionFilter, NestFactory } from '@nestjs/core';
import { secretsByEndpoint, slack, standardWebhooks } from '@verified-webhooks/core';
import { sign } from '@verified-webhooks/core/testing';
import { VerifiedWebhook, WebhookEvent, WebhooksModule } from '@verified-webhooks/nestjs';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const SLACK_SECRET = 'slack-signing-secret-0123456789abcdef';

// An app-wide filter that reports every exception it sees, as an error reporter (Sentry) does.
const reported = [];
class ReportEverythingFilter extends BaseExceptionFilter {
  catch(exception, host) {
    reported.push(exception?.constructor?.name ?? String(exception));
    super.catch(exception, host);
  }
}
Reflect.decorate([Catch()], ReportEverythingFilter);

class BillingController {
  handle(event) {
    return { received: event.id, type: event.type };
  }
}
Reflect.decorate(
  [Post('billing'), HttpCode(200), VerifiedWebhook({ scheme: 'standard-webhooks', endpoint: 'billing' })],
  BillingController.prototype,
  'handle',
  Object.getOwnPropertyDescriptor(BillingController.prototype, 'handle'),
);
WebhookEvent()(BillingController.prototype, 'handle', 0);
Reflect.decorate(
  [Post('slack'), HttpCode(200), VerifiedWebhook({ scheme: 'slack', endpoint: 'slack' })],
  BillingController.prototype,
  'slack',
  Object.defineProperty(BillingController.prototype, 'slack', { value: () => ({ handled: true }), writable: true }) &&
    Object.getOwnPropertyDescriptor(BillingController.prototype, 'slack'),
);
Reflect.decorate([Controller('webhooks')], BillingController);

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports: [WebhooksModule.forRoot({ secrets: secretsByEndpoint({ billing: SECRET, slack: SLACK_SECRET }) })],
      controllers: [BillingController],
      providers: [{ provide: APP_FILTER, useClass: ReportEverythingFilter }],
    }),
  ],
  AppModule,
);

const app = await NestFactory.create(AppModule, { rawBody: true, logger: false });
await app.listen(0, '127.0.0.1');
const url = (await app.getUrl()) + '/webhooks/billing';
const { headers, body } = sign(standardWebhooks(), { secret: SECRET, body: JSON.stringify({ type: 'invoice.paid' }) });
const post = async (payload) => {
  const response = await fetch(url, { method: 'POST', headers, body: payload });
  return { status: response.status, body: await response.json() };
};
const signed = await post(body);
const duplicate = await post(body);
const tampered = await post(body.replace('paid', 'void'));
const filteredBeforeHandshake = reported.length;
const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 't' });
const handshakeAnswer = await fetch((await app.getUrl()) + '/webhooks/slack', {
  method: 'POST',
  headers: slack().sign({ secret: SLACK_SECRET, body: challenge }),
  body: challenge,
});
const handshake = { status: handshakeAnswer.status, body: await handshakeAnswer.json() };
await app.close();
console.log(
  JSON.stringify({ signed, duplicate, tampered, handshake, filtered: { before: filteredBeforeHandshake, after: reported.length } }),
);
`;

/** A misspelt preset name, which must not compile. */
const MISSPELT_TS = `import { Controller, Post } from '@nestjs/common';
import { VerifiedWebhook } from '@verified-webhooks/nestjs';

@Controller('webhooks')
export class MisspeltController {
  @Post('stripe')
  @VerifiedWebhook('strpie')
  receive() {}
}
`;

/** Type-checks the published declarations through the packages' "exports", as a TypeScript user would. */
const CHECK_TS = `import type { ReplayStore, VerifiedWebhookEvent } from '@verified-webhooks/core';
import { hmac, MemoryReplayStore } from '@verified-webhooks/core';
import { sign } from '@verified-webhooks/core/testing';
import { verifiedWebhook } from '@verified-webhooks/core/express';
import type { WebhooksModuleOptions } from '@verified-webhooks/nestjs';
import { isWebhookRoute, VerifiedWebhook as Decorator, WebhookMetrics } from '@verified-webhooks/nestjs';

const store: ReplayStore = new MemoryReplayStore();
const options: WebhooksModuleOptions = { secrets: 'x'.repeat(32), replayStore: store, metrics: false };
const middleware = verifiedWebhook({ scheme: 'standard-webhooks', secrets: 'whsec_x', replayStore: store });
const signed: { headers: Record<string, string>; body: string } = sign(hmac({ signatureHeader: 'x-sig' }), {
  secret: 's',
  body: '{}',
});
const event = undefined as unknown as VerifiedWebhookEvent<{ type: string }>;
export { options, middleware, signed, event, isWebhookRoute, Decorator, WebhookMetrics };
`;

describe('packed @verified-webhooks/core and @verified-webhooks/nestjs', () => {
  let dir: string;
  const packs = new Map<string, PackResult>();
  const manifests = new Map<string, Manifest>();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vw-pack-'));
    for (const lib of ['core', 'nestjs']) {
      const [result] = JSON.parse(
        run('npm', ['pack', `./libs/${lib}`, '--pack-destination', dir, '--json', '--loglevel=error'], root),
      ) as PackResult[];
      packs.set(lib, result!);
      manifests.set(
        lib,
        JSON.parse(readFileSync(join(root, 'libs', lib, 'package.json'), 'utf8')) as Manifest,
      );
    }
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['core', 'nestjs'])(
    '%s ships every file its exports, typesVersions, types, main and bin name, and nothing else',
    (lib) => {
      const manifest = manifests.get(lib)!;
      const files = new Set(packs.get(lib)!.files.map((file) => file.path));
      const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})];
      for (const paths of Object.values(manifest.typesVersions?.['*'] ?? {})) targets.push(...paths);
      for (const [subpath, conditions] of Object.entries(manifest.exports)) {
        if (typeof conditions === 'string') {
          targets.push(conditions);
          continue;
        }
        // Node matches module-sync first (require and import alike: one ESM copy); jest and bundlers pick
        // import or require. Each condition carries its own types: the CJS build's for require.
        expect(Object.keys(conditions), subpath).toEqual(['module-sync', 'import', 'require']);
        expect(conditions['module-sync']).toEqual(conditions.import);
        for (const [condition, target] of Object.entries(conditions)) {
          expect(Object.keys(target), `${subpath} ${condition}: "types" must come first`).toEqual([
            'types',
            'default',
          ]);
          expect(target.default.startsWith('./dist/cjs/'), `${subpath} ${condition}`).toBe(
            condition === 'require',
          );
          targets.push(target.types, target.default);
        }
        if (subpath !== '.') {
          expect(manifest.typesVersions?.['*']?.[subpath.slice(2)], `typesVersions for ${subpath}`).toEqual([
            conditions.require.types,
          ]);
        }
      }
      for (const target of targets) expect(files, target).toContain(target.replace(/^\.\//, ''));
      expect(files).toContain('dist/cjs/package.json');
      expect(files).toContain('README.md');
      expect(files).toContain('CHANGELOG.md');
      expect(files).toContain('package.json');
      const unwanted = [...files].filter((file) => /\.spec\.|tsbuildinfo|^src\//.test(file));
      expect(unwanted).toEqual([]);
    },
  );

  it('declares its peers: Nest required, prom-client, terminus and @opentelemetry/api optional for nestjs; ioredis optional for core', () => {
    const nestjs = manifests.get('nestjs')!;
    expect(Object.keys(nestjs.peerDependencies ?? {})).toEqual(
      expect.arrayContaining([
        '@nestjs/common',
        '@nestjs/core',
        'reflect-metadata',
        'rxjs',
        'prom-client',
        '@nestjs/terminus',
        '@opentelemetry/api',
      ]),
    );
    expect(nestjs.peerDependenciesMeta?.['@opentelemetry/api']?.optional).toBe(true);
    expect(nestjs.peerDependenciesMeta?.['prom-client']?.optional).toBe(true);
    expect(nestjs.peerDependenciesMeta?.['@nestjs/terminus']?.optional).toBe(true);
    expect(nestjs.peerDependenciesMeta?.['@nestjs/common']?.optional).not.toBe(true);
    for (const name of ['@nestjs/common', '@nestjs/core']) {
      expect(nestjs.peerDependencies?.[name], name).toBe('^10.0.0 || ^11.0.0 || ^12.0.0');
    }
    expect(nestjs.dependencies?.['@verified-webhooks/core']).toBe(manifests.get('core')!.version);
    const core = manifests.get('core')!;
    expect(core.peerDependenciesMeta?.ioredis?.optional).toBe(true);
    expect(Object.keys(core.dependencies ?? {}).filter((name) => /nestjs|express/.test(name))).toEqual([]);
  });

  describe('installed into a separate Nest app', () => {
    let app: string;
    beforeAll(() => {
      app = join(dir, 'app');
      mkdirSync(app);
      const tarball = (lib: string) => `file:${join(dir, packs.get(lib)!.filename)}`;
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify(
          {
            name: 'vw-pack-check',
            private: true,
            type: 'module',
            dependencies: {
              '@verified-webhooks/core': tarball('core'),
              '@verified-webhooks/nestjs': tarball('nestjs'),
              '@nestjs/common': NEST_VERSION,
              '@nestjs/core': NEST_VERSION,
              '@nestjs/platform-express': NEST_VERSION,
              'reflect-metadata': '0.2.2',
              rxjs: '7.8.2',
            },
          },
          null,
          2,
        ),
      );
      writeFileSync(join(app, 'main.js'), MAIN_JS);
      run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
    });

    it('imports WebhooksModule, passes a signed delivery (200) and refuses a tampered one (401)', () => {
      const result = JSON.parse(run(process.execPath, ['main.js'], app).trim()) as Record<
        string,
        { status: number; body: Record<string, unknown> }
      >;
      expect(result.signed).toEqual({
        status: 200,
        body: { received: expect.any(String), type: 'invoice.paid' },
      });
      expect(result.duplicate).toEqual({ status: 200, body: { duplicate: true } });
      expect(result.tampered?.status).toBe(401);
      expect(result.tampered?.body).toMatchObject({ error: 'signature_mismatch' });
    });

    it('answers a Slack url_verification without an exception reaching a global @Catch() filter', () => {
      const result = JSON.parse(run(process.execPath, ['main.js'], app).trim()) as {
        handshake: { status: number; body: unknown };
        filtered: { before: number; after: number };
      };
      expect(result.handshake).toEqual({ status: 200, body: { challenge: 'c-123' } });
      // The tampered delivery reached the filter; the handshake added nothing.
      expect(result.filtered).toEqual({ before: 1, after: 1 });
    });

    it('runs without the optional peers installed (no prom-client, no terminus, no OpenTelemetry)', () => {
      expect(existsSync(join(app, 'node_modules/prom-client'))).toBe(false);
      expect(existsSync(join(app, 'node_modules/@nestjs/terminus'))).toBe(false);
      expect(existsSync(join(app, 'node_modules/@opentelemetry/api'))).toBe(false);
    });

    it('loads one copy of each package when one app both requires and imports them (no dual-package hazard)', () => {
      writeFileSync(
        join(app, 'mixed.js'),
        `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const same = async (name, key) => require(name)[key] === (await import(name))[key];
console.log(JSON.stringify({
  nestjs: await same('@verified-webhooks/nestjs', 'WebhooksModule'),
  tokens: await same('@verified-webhooks/nestjs', 'ReplayStore'),
  core: await same('@verified-webhooks/core', 'WebhookVerificationError'),
  testing: await same('@verified-webhooks/core/testing', 'sign'),
}));
`,
      );
      expect(JSON.parse(run(process.execPath, ['mixed.js'], app))).toEqual({
        nestjs: true,
        tokens: true,
        core: true,
        testing: true,
      });
    });

    it('installs the verified-webhooks bin', () => {
      const secret = run(
        join(app, 'node_modules/.bin/verified-webhooks'),
        ['secret', '--scheme', 'standard-webhooks'],
        app,
      );
      expect(secret.trim()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    });

    const typecheck = (
      file: string,
      source: string,
      resolution: { module: string; moduleResolution: string; skipLibCheck?: boolean } = {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
      },
    ): string => {
      writeFileSync(join(app, file), source);
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2023',
            strict: true,
            noEmit: true,
            skipLibCheck: true, // as Nest's own starter does; the check is on how the exports resolve and type
            ...resolution,
            experimentalDecorators: true,
            typeRoots: [join(root, 'node_modules/@types')],
            types: ['node'],
          },
          files: [file],
        }),
      );
      try {
        run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
        return '';
      } catch (error) {
        return String((error as { stdout?: string }).stdout ?? error);
      }
    };

    it('type-checks against the published declarations through "exports" (NodeNext)', () => {
      expect(typecheck('check.ts', CHECK_TS)).toBe('');
    });

    it('type-checks under CommonJS resolution (node10: typesVersions) with skipLibCheck false and no optional peer', () => {
      expect(
        typecheck('check.ts', CHECK_TS, {
          module: 'commonjs',
          moduleResolution: 'node10',
          skipLibCheck: false,
        }),
      ).toBe('');
    });

    it("refuses a misspelt preset name at compile time: @VerifiedWebhook('strpie')", () => {
      expect(typecheck('misspelt.ts', MISSPELT_TS)).toMatch(/misspelt\.ts\(7,20\): error TS2345: .*"strpie"/);
    });
  });
});
