import { execFileSync } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyFetcherOptions } from '../../libs/core/src/keys/key-fetcher.js';
import { KeyFetcher } from '../../libs/core/src/keys/key-fetcher.js';

/** The provider hosts the test server's certificate names; the fetcher routes them to it. */
export const TEST_HOSTS = [
  'sns.us-east-1.amazonaws.com',
  'sns.eu-west-1.amazonaws.com',
  'www.googleapis.com',
  'login.microsoftonline.com',
];

export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Answer after this long (for the time limit); 0 by default. */
  delayMs?: number;
}

/** An RSA signing key with a self-signed X.509 certificate (a provider's key in tests). */
export interface TestSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

/**
 * A local HTTPS server standing in for AWS, Google and Microsoft key endpoints: a test CA signs its
 * certificate for the real host names (`openssl`), and `fetcher()` connects allowed hosts to it. It
 * counts every request and TLS connection, so tests can assert that nothing was fetched.
 */
export class TestKeyServer {
  readonly ca: string;
  requests: string[] = [];
  connections = 0;
  private readonly routes = new Map<string, Route>();
  private constructor(
    private readonly server: Server,
    ca: string,
    private readonly dir: string,
  ) {
    this.ca = ca;
  }

  static async start(): Promise<TestKeyServer> {
    const dir = mkdtempSync(join(tmpdir(), 'vw-keys-'));
    const file = (name: string) => join(dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=verified-webhooks test CA',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=test key server',
    );
    writeFileSync(file('san.ext'), `subjectAltName=${TEST_HOSTS.map((host) => `DNS:${host}`).join(',')}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('server.pem'),
      '-days',
      '2',
      '-extfile',
      file('san.ext'),
    );
    const ca = readFileSync(file('ca.pem'), 'utf8');
    // The handlers need the instance, and the instance needs the server.
    const holder: { self?: TestKeyServer } = {};
    const server = createServer(
      { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) },
      (request, response) => holder.self!.answer(request, response),
    );
    server.on('secureConnection', () => holder.self!.connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.self = new TestKeyServer(server, ca, dir);
    return holder.self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Serves `route` at `https://<host><path>` (the host is not checked: routing is the fetcher's). */
  route(path: string, route: Route): void {
    this.routes.set(path, route);
  }

  /** A fetcher that connects every allowed host to this server, trusting its CA. */
  fetcher(options: Omit<KeyFetcherOptions, 'unsafeTestRoute'> = {}): KeyFetcher {
    return new KeyFetcher({
      ...options,
      unsafeTestRoute: { host: '127.0.0.1', port: this.port, ca: this.ca },
    });
  }

  /** A fresh RSA key and its self-signed certificate. */
  signingKey(commonName = 'sns.amazonaws.com'): TestSigningKey {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const keyFile = join(this.dir, `signing-${Math.random().toString(36).slice(2)}.key`);
    writeFileSync(keyFile, privateKeyPem);
    const certificatePem = execFileSync(
      'openssl',
      ['req', '-x509', '-new', '-key', keyFile, '-days', '2', '-subj', `/CN=${commonName}`],
      { stdio: 'pipe' },
    ).toString();
    return { privateKey, publicKey, privateKeyPem, certificatePem };
  }

  reset(): void {
    this.requests = [];
    this.connections = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    this.requests.push(`${request.headers.host}${url}`);
    const route = this.routes.get(url) ?? this.routes.get(url.split('?')[0]!);
    const send = () => {
      if (!route) {
        response.writeHead(404).end('not found');
        return;
      }
      response.writeHead(route.status ?? 200, route.headers ?? {});
      response.end(route.body ?? '');
    };
    if (route?.delayMs) setTimeout(send, route.delayMs);
    else send();
  }
}
