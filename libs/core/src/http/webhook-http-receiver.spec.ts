import { createServer, IncomingMessage, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import { MemoryReplayStore } from '../replay/memory-replay.store.js';
import { standardWebhooks } from '../schemes/standard-webhooks.scheme.js';
import { WebhookVerifier } from '../verify/webhook-verifier.js';
import { WebhookHttpReceiver } from './webhook-http-receiver.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const scheme = standardWebhooks();

/** A Node message as a server would hand it over, with raw header lines (repeats kept). */
function message(rawHeaders: string[], url = '/hooks/acme'): IncomingMessage {
  const incoming = new IncomingMessage(new Socket());
  incoming.method = 'POST';
  incoming.url = url;
  incoming.rawHeaders = rawHeaders;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!.toLowerCase();
    const value = rawHeaders[index + 1]!;
    const previous = incoming.headers[name];
    incoming.headers[name] = previous === undefined ? value : `${String(previous)}, ${value}`;
  }
  return incoming;
}

const receiver = (
  options: ConstructorParameters<typeof WebhookHttpReceiver>[1] = {},
  secrets: unknown = SECRET,
) =>
  new WebhookHttpReceiver(
    new WebhookVerifier({ scheme, secrets: secrets as string, replayStore: new MemoryReplayStore() }),
    options,
  );

describe('WebhookHttpReceiver', () => {
  it('reads the tenant from the named route parameter and the public URL from the proxy headers', () => {
    const request = receiver({ tenantParam: 'tenant', trustProxyHeaders: true }).webhookRequest(
      {
        message: message(['X-Forwarded-Host', 'hooks.example.com', 'Content-Type', 'application/json']),
        params: { tenant: 'acme' },
      },
      Buffer.from('{}'),
    );
    expect(request).toMatchObject({
      tenant: 'acme',
      method: 'POST',
      url: 'https://hooks.example.com/hooks/acme',
    });
  });

  it('keeps a repeated signature header as a list, so the scheme can refuse it', async () => {
    const body = '{"type":"x"}';
    const headers: Record<string, string | string[]> = scheme.sign({ secret: SECRET, body, id: 'msg_1' });
    headers['webhook-signature'] = [
      headers['webhook-signature'] as string,
      headers['webhook-signature'] as string,
    ];
    const http = receiver();
    const server = createServer((incoming, response) => {
      http.verify({ message: incoming }).then(
        () => response.end('accepted'),
        (error: WebhookVerificationError) => response.end(error.reason),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/hook', headers },
        (reply) => {
          let text = '';
          reply.on('data', (chunk: Buffer) => (text += chunk.toString()));
          reply.on('end', () => resolve(text));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    await new Promise((resolve) => server.close(resolve));
    expect(answer).toBe('malformed_header');
  });

  it('logs an unknown endpoint once a minute, with the count of the probes it held back', () => {
    const http = receiver();
    const probe = () => http.refusal(new WebhookVerificationError('unknown_endpoint', 'No secret.'));
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    expect(probe().log?.level).toBe('warn');
    expect(probe().log).toBeUndefined();
    expect(probe().log).toBeUndefined();
    now.mockReturnValue(1_000_000 + 60_000);
    expect(probe().log?.line).toMatch(/\(and 2 more in the last minute\)$/);
    // Other refusals are never held back.
    expect(http.refusal(new WebhookVerificationError('signature_mismatch', 'x')).log).toBeDefined();
    now.mockRestore();
  });
});
