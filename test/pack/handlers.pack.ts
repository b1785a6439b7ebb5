import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Event handlers as a user gets them: the packed tarballs in a fresh Nest 12 app, with the official
 * `stripe` package signing, @OnWebhookEvent() handlers routing by type, the Express middleware's
 * dispatcher doing the same, and the opt-in Stripe typings refusing a misspelt event name.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const MAIN_JS = `import 'reflect-metadata';
import { Controller, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WebhookDispatcher } from '@verified-webhooks/core';
import { verifiedWebhook } from '@verified-webhooks/core/express';
import { OnWebhookEvent, VerifiedWebhook, WebhooksModule } from '@verified-webhooks/nestjs';
import express from 'express';
import Stripe from 'stripe';

const SECRET = 'whsec_pack_handlers_0123456789abcdef';
const stripe = new Stripe('sk_test_pack');
const runs = [];
const record = (handler) => (event, context) => { runs.push({ handler, id: event.id, key: context.idempotencyKey }); };

class BillingHandlers {}
for (const [method, pattern] of [['paid', 'invoice.paid'], ['invoices', 'invoice.*'], ['all', '*']]) {
  BillingHandlers.prototype[method] = record(pattern);
  Reflect.decorate([OnWebhookEvent('stripe', pattern)], BillingHandlers.prototype, method,
    Object.getOwnPropertyDescriptor(BillingHandlers.prototype, method));
}
Reflect.decorate([Injectable()], BillingHandlers);

class StripeController { receive() { return { received: true }; } }
Reflect.decorate([Post('stripe'), HttpCode(200), VerifiedWebhook('stripe')], StripeController.prototype, 'receive',
  Object.getOwnPropertyDescriptor(StripeController.prototype, 'receive'));
Reflect.decorate([Controller('webhooks')], StripeController);

class AppModule {}
Reflect.decorate([Module({ imports: [WebhooksModule.forRoot({ secrets: SECRET })], controllers: [StripeController], providers: [BillingHandlers] })], AppModule);

const delivery = (type, id) => {
  const payload = JSON.stringify({ id, object: 'event', type, data: { object: { id: 'in_1' } } });
  return { payload, headers: { 'content-type': 'application/json',
    'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }) } };
};
const send = async (url, { payload, headers }) => (await fetch(url, { method: 'POST', headers, body: payload })).status;

const app = await NestFactory.create(AppModule, { rawBody: true, logger: false });
await app.listen(0, '127.0.0.1');
const nestUrl = (await app.getUrl()) + '/webhooks/stripe';
const paid = delivery('invoice.paid', 'evt_paid');
const nest = {
  paid: await send(nestUrl, paid),
  afterPaid: runs.map((r) => r.handler),
  customer: await send(nestUrl, delivery('customer.created', 'evt_customer')),
  duplicate: await send(nestUrl, paid),
  forged: await send(nestUrl, { ...paid, payload: paid.payload.replace('in_1', 'in_2') }),
  handlers: runs.map((r) => r.handler),
  keys: new Set(runs.map((r) => r.key)).size,
};
await app.close();

runs.length = 0;
const dispatcher = new WebhookDispatcher()
  .on('invoice.paid', record('invoice.paid')).on('invoice.*', record('invoice.*')).on('*', record('*'));
const plain = express();
plain.post('/stripe', verifiedWebhook({ scheme: 'stripe', secrets: SECRET, dispatcher }), (_req, res) => res.sendStatus(204));
const server = await new Promise((resolve) => { const s = plain.listen(0, '127.0.0.1', () => resolve(s)); });
const expressUrl = 'http://127.0.0.1:' + server.address().port + '/stripe';
const viaExpress = {
  paid: await send(expressUrl, delivery('invoice.paid', 'evt_paid')),
  customer: await send(expressUrl, delivery('customer.created', 'evt_customer')),
  handlers: runs.map((r) => r.handler),
};
server.close();
console.log(JSON.stringify({ nest, express: viaExpress }));
`;

const TYPED_TS = `import '@verified-webhooks/core/typings/stripe';
import type { WebhookEventOf } from '@verified-webhooks/core';
import { OnWebhookEvent } from '@verified-webhooks/nestjs';

export class Handlers {
  @OnWebhookEvent('stripe', 'invoice.paid')
  paid(event: WebhookEventOf<'stripe', 'invoice.paid'>) {
    const amount: number = event.payload.data.object.amount_paid;
    return amount;
  }

  @OnWebhookEvent('stripe', 'invoice.payed')
  misspelt() {}
}
`;

describe('event handlers from the packed tarballs, in a fresh Nest 12 app', () => {
  let dir: string;
  let app: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vw-pack-handlers-'));
    const tarballs = ['core', 'nestjs'].map((lib) => {
      const [result] = JSON.parse(
        run('npm', ['pack', `./libs/${lib}`, '--pack-destination', dir, '--json', '--loglevel=error'], root),
      ) as { filename: string }[];
      return `file:${join(dir, result!.filename)}`;
    });
    app = join(dir, 'app');
    mkdirSync(app);
    const nest = versionOf('@nestjs/core');
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'vw-pack-handlers',
        private: true,
        type: 'module',
        dependencies: {
          '@verified-webhooks/core': tarballs[0],
          '@verified-webhooks/nestjs': tarballs[1],
          '@nestjs/common': versionOf('@nestjs/common'),
          '@nestjs/core': nest,
          '@nestjs/platform-express': versionOf('@nestjs/platform-express'),
          express: versionOf('express'),
          'reflect-metadata': versionOf('reflect-metadata'),
          rxjs: versionOf('rxjs'),
          stripe: versionOf('stripe'),
        },
      }),
    );
    writeFileSync(join(app, 'main.js'), MAIN_JS);
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs 'invoice.paid', 'invoice.*' and '*' once each for invoice.paid; only '*' for customer.created; none for a duplicate or a forgery", () => {
    const { nest, express } = JSON.parse(run(process.execPath, ['main.js'], app).trim()) as {
      nest: Record<string, unknown>;
      express: Record<string, unknown>;
    };
    expect(nest).toEqual({
      paid: 200,
      afterPaid: ['invoice.paid', 'invoice.*', '*'],
      customer: 200,
      duplicate: 200,
      forged: 401,
      handlers: ['invoice.paid', 'invoice.*', '*', '*'],
      keys: 4,
    });
    // The Express middleware routes by type the same way.
    expect(express).toEqual({ paid: 204, customer: 204, handlers: ['invoice.paid', 'invoice.*', '*', '*'] });
  });

  it('refuses a misspelt event name at compile time with the Stripe typings enabled, and types the event', () => {
    writeFileSync(join(app, 'typed.ts'), TYPED_TS);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          experimentalDecorators: true,
          typeRoots: [join(root, 'node_modules/@types')],
          types: ['node'],
        },
        files: ['typed.ts'],
      }),
    );
    let output = '';
    try {
      run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    // Exactly one error: the misspelt name. The correctly typed handler compiles.
    expect(
      output
        .trim()
        .split('\n')
        .filter((line) => line.includes('error TS')),
    ).toEqual([
      expect.stringMatching(/typed\.ts\(12,29\): error TS2345: Argument of type '"invoice\.payed"'/),
    ]);
  });
});
