import { storeDelivery } from '../durable/stored-delivery.js';
import { hmac } from '../schemes/hmac.scheme.js';
import { gitlab } from '../schemes/presets/gitlab.scheme.js';
import { microsoftGraph } from '../schemes/presets/microsoft-graph.scheme.js';
import { twilio } from '../schemes/presets/twilio.scheme.js';
import type { AnyWebhookScheme } from '../schemes/webhook-scheme.interface.js';
import { storableHeader } from './secret-headers.js';

const kept = (scheme: AnyWebhookScheme, headers: Record<string, string>) =>
  Object.keys(headers).filter((name) => storableHeader(scheme)(name));

describe('storableHeader: which headers a queue or archive may keep', () => {
  it('drops the header a shared-token scheme repeats its secret in, keeps the others', () => {
    expect(
      kept(gitlab(), { 'x-gitlab-token': 't', 'x-gitlab-event': 'Push Hook', 'content-type': 'a' }),
    ).toEqual(['x-gitlab-event', 'content-type']);
  });

  it('keeps every header of a scheme that signs (the secret is not in any header)', () => {
    const scheme = hmac({ name: 'h', signatureHeader: 'x-sig' });
    expect(kept(scheme, { 'x-sig': 's', 'x-event': 'e' })).toEqual(['x-sig', 'x-event']);
    // Signs the URL: probed with one, so it is not taken for a scheme that cannot be probed.
    expect(kept(twilio(), { 'x-twilio-signature': 's', 'x-home-region': 'us1' })).toEqual([
      'x-twilio-signature',
      'x-home-region',
    ]);
  });

  it('fails closed when sign() refuses the probe although the stand-in is a valid secret: safe headers only', () => {
    const refusing: AnyWebhookScheme = {
      ...gitlab(),
      sign() {
        throw new Error('needs a particular body');
      },
    };
    expect(
      kept(refusing, { 'x-gitlab-token': 't', 'x-custom': 'c', 'content-type': 'a', 'user-agent': 'u' }),
    ).toEqual(['content-type', 'user-agent']);
    expect(kept(microsoftGraph(), { 'client-request-id': 'r', 'content-type': 'a' })).toEqual([
      'content-type',
    ]);
  });

  it('storeDelivery keeps neither the clientState in the body nor unsafe headers for Graph, and marks it redacted', () => {
    const secret = 'graph-state-in-store-delivery';
    const rawBody = Buffer.from(JSON.stringify({ value: [{ clientState: secret, resource: 'r' }] }));
    const event = {
      deliveryKey: '{graph:1}',
      endpoint: 'graph',
      scheme: 'microsoft-graph',
      tenant: undefined,
      id: undefined,
      type: undefined,
      timestamp: undefined,
      rawBody,
      payload: undefined,
      signed: { id: false, timestamp: false, type: false, body: false },
    };
    const stored = storeDelivery(
      event,
      [],
      { 'content-type': 'application/json', 'x-other': 'o' },
      1,
      microsoftGraph(),
    );
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored.redacted).toBe(true);
    expect(stored.headers).toEqual({ 'content-type': 'application/json' });
    const unchanged = storeDelivery(event, [], {}, 1, gitlab());
    expect(unchanged.redacted).toBeUndefined();
    expect(Buffer.from(unchanged.body, 'base64').equals(rawBody)).toBe(true);
  });
});
