import Mux from '@mux/mux-node';
import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { mux } from './mux.scheme.js';

const SECRET = 'mux-signing-secret-0123456789abcdef';
const BODY = JSON.stringify({ id: 'evt_mux_1', type: 'video.asset.ready', data: { id: 'asset_1' } });
const NOW = 1_700_000_000_000;
const signed = (body = BODY, secret = SECRET, timestamp = NOW) => ({
  headers: mux().sign({ secret, body, timestamp }),
  rawBody: body,
});

describe('mux()', () => {
  it('signs what the official @mux/mux-node webhooks.verifySignature accepts', async () => {
    const client = new Mux({ tokenId: 'test', tokenSecret: 'test' });
    const headers = mux().sign({ secret: SECRET, body: BODY });
    await expect(client.webhooks.verifySignature(BODY, headers, SECRET)).resolves.toBeUndefined();
    await expect(client.webhooks.verifySignature(BODY, headers, 'wrong-secret')).rejects.toThrow();
  });

  it('accepts its own signature and exposes the signed timestamp', async () => {
    expect(await reasonOf(verifyWith(mux(), signed(), { secrets: SECRET, now: NOW }))).toBe('accepted');
  });

  it('refuses a tampered body and the wrong secret', async () => {
    const request = signed();
    expect(
      await reasonOf(
        verifyWith(
          mux(),
          { ...request, rawBody: BODY.replace('ready', 'errored') },
          { secrets: SECRET, now: NOW },
        ),
      ),
    ).toBe('signature_mismatch');
    expect(
      await reasonOf(verifyWith(mux(), request, { secrets: 'another-secret-0123456789', now: NOW })),
    ).toBe('signature_mismatch');
  });

  it('refuses stale and future timestamps (300 s both ways)', async () => {
    const request = signed();
    expect(await reasonOf(verifyWith(mux(), request, { secrets: SECRET, now: NOW + 301_000 }))).toBe(
      'timestamp_expired',
    );
    expect(await reasonOf(verifyWith(mux(), request, { secrets: SECRET, now: NOW - 301_000 }))).toBe(
      'timestamp_in_future',
    );
  });

  it('accepts any v1 and any configured secret (rotation)', async () => {
    const oldSig = signed(BODY, 'the-old-mux-secret-0123456789')['headers']['mux-signature']!;
    const newSig = signed()['headers']['mux-signature']!;
    const header = `${newSig},${oldSig.split(',')[1]!}`;
    expect(
      await reasonOf(
        verifyWith(
          mux(),
          { headers: { 'mux-signature': header }, rawBody: BODY },
          { secrets: 'the-old-mux-secret-0123456789', now: NOW },
        ),
      ),
    ).toBe('accepted');
    expect(
      await reasonOf(
        verifyWith(mux(), signed(), { secrets: ['the-old-mux-secret-0123456789', SECRET], now: NOW }),
      ),
    ).toBe('accepted');
  });

  it('refuses a re-signed copy of a processed event (replay keyed on the signed body id)', async () => {
    const second = signed(`${BODY}\n`, SECRET, NOW + 2000);
    expect(await secondDeliveryKind(mux(), signed(), second, { secrets: SECRET, now: NOW })).toBe(
      'duplicate',
    );
  });
});
