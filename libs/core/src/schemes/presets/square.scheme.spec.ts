import { WebhooksHelper } from 'square';
import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { square } from './square.scheme.js';

// Published vector: square/square-nodejs-sdk tests/integration/webhooks.test.ts (PROVIDERS.md §12).
const VECTOR = {
  key: 'Ibxx_5AKakO-3qeNVR61Dw',
  url: 'https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9',
  body: '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}',
  signature: 'GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=',
};
const HEADER = 'x-square-hmacsha256-signature';
const request = (body = VECTOR.body, url: string | undefined = VECTOR.url) => ({
  headers: { [HEADER]: VECTOR.signature },
  rawBody: body,
  url,
});

describe('square()', () => {
  it('accepts the published SDK vector with the URL from the context', async () => {
    expect(await reasonOf(verifyWith(square(), request(), { secrets: VECTOR.key }))).toBe('accepted');
  });

  it('accepts the vector with a configured notificationUrl (and ignores the context URL)', async () => {
    const scheme = square({ notificationUrl: VECTOR.url });
    expect(
      await reasonOf(
        verifyWith(scheme, request(VECTOR.body, 'https://proxy.internal/x'), { secrets: VECTOR.key }),
      ),
    ).toBe('accepted');
  });

  it('signs what the official square WebhooksHelper.verifySignature accepts', async () => {
    const body = JSON.stringify({ event_id: 'e-1', type: 'payment.created' });
    const url = 'https://hooks.example.com/square';
    const signatureHeader = square().sign({ secret: VECTOR.key, body, url })[HEADER]!;
    await expect(
      WebhooksHelper.verifySignature({
        requestBody: body,
        signatureHeader,
        signatureKey: VECTOR.key,
        notificationUrl: url,
      }),
    ).resolves.toBe(true);
  });

  it('refuses a tampered body, another URL, the wrong key, and a missing URL', async () => {
    expect(
      await reasonOf(
        verifyWith(square(), request(VECTOR.body.replace('MLEF', 'XLEF')), { secrets: VECTOR.key }),
      ),
    ).toBe('signature_mismatch');
    expect(
      await reasonOf(
        verifyWith(square(), request(VECTOR.body, 'https://evil.example/hook'), { secrets: VECTOR.key }),
      ),
    ).toBe('signature_mismatch');
    expect(await reasonOf(verifyWith(square(), request(), { secrets: 'Ibxx_other_key_value' }))).toBe(
      'signature_mismatch',
    );
    await expect(
      verifyWith(square(), { ...request(), url: undefined }, { secrets: VECTOR.key }),
    ).rejects.toMatchObject({
      reason: 'missing_public_url',
      message: expect.stringMatching(/publicBaseUrl/),
    });
  });

  it('accepts the old or the new signature key (rotation)', async () => {
    expect(
      await reasonOf(verifyWith(square(), request(), { secrets: ['new-square-key-0000', VECTOR.key] })),
    ).toBe('accepted');
  });

  it('refuses a replay of a processed delivery (keyed on the signed event_id)', async () => {
    const replay = { ...request(), headers: { ...request().headers, 'square-retry-number': '1' } };
    expect(await secondDeliveryKind(square(), request(), replay, { secrets: VECTOR.key })).toBe('duplicate');
  });
});
