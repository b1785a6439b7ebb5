import { EventWebhook } from '@sendgrid/eventwebhook';
import { generateKeyPairSync } from 'node:crypto';
import { reasonOf, secondDeliveryKind, verifyWith } from '../../testing/scheme-testing.js';
import { sendgrid } from './sendgrid.scheme.js';

// Published vector: sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js (PROVIDERS.md §19).
const VECTOR = {
  publicKey:
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==',
  timestamp: '1600112502',
  signature:
    'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=',
  payload:
    JSON.stringify([
      {
        email: 'hello@world.com',
        event: 'dropped',
        reason: 'Bounced Address',
        sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
        sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
        'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>',
        timestamp: 1600112492,
      },
    ]) + '\r\n',
};
const SIG = 'x-twilio-email-event-webhook-signature';
const TS = 'x-twilio-email-event-webhook-timestamp';
const NOW = Number(VECTOR.timestamp) * 1000;
const vector = (body = VECTOR.payload) => ({
  headers: { [SIG]: VECTOR.signature, [TS]: VECTOR.timestamp },
  rawBody: body,
});

const pair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
};

describe('sendgrid()', () => {
  it('accepts the published SDK vector (base64 SPKI public key)', async () => {
    expect(await reasonOf(verifyWith(sendgrid(), vector(), { secrets: VECTOR.publicKey, now: NOW }))).toBe(
      'accepted',
    );
  });

  it('signs what the official @sendgrid/eventwebhook verifySignature accepts', () => {
    const keys = pair();
    const body = '[{"email":"a@b.c","event":"delivered","sg_event_id":"e1"}]\r\n';
    const headers = sendgrid().sign({ secret: keys.privateKey, body });
    const ew = new EventWebhook();
    expect(
      ew.verifySignature(ew.convertPublicKeyToECDSA(keys.publicKey), body, headers[SIG]!, headers[TS]!),
    ).toBe(true);
    expect(
      ew.verifySignature(ew.convertPublicKeyToECDSA(VECTOR.publicKey), body, headers[SIG]!, headers[TS]!),
    ).toBe(false);
  });

  it('refuses a tampered body or timestamp and another public key', async () => {
    expect(
      await reasonOf(
        verifyWith(sendgrid(), vector(VECTOR.payload.replace('dropped', 'delivered')), {
          secrets: VECTOR.publicKey,
          now: NOW,
        }),
      ),
    ).toBe('signature_mismatch');
    const shifted = {
      ...vector(),
      headers: { [SIG]: VECTOR.signature, [TS]: String(Number(VECTOR.timestamp) + 1) },
    };
    expect(await reasonOf(verifyWith(sendgrid(), shifted, { secrets: VECTOR.publicKey, now: NOW }))).toBe(
      'signature_mismatch',
    );
    expect(await reasonOf(verifyWith(sendgrid(), vector(), { secrets: pair().publicKey, now: NOW }))).toBe(
      'signature_mismatch',
    );
  });

  it('refuses stale and future timestamps (5 minutes both ways)', async () => {
    expect(
      await reasonOf(verifyWith(sendgrid(), vector(), { secrets: VECTOR.publicKey, now: NOW + 301_000 })),
    ).toBe('timestamp_expired');
    expect(
      await reasonOf(verifyWith(sendgrid(), vector(), { secrets: VECTOR.publicKey, now: NOW - 301_000 })),
    ).toBe('timestamp_in_future');
  });

  it('accepts the old or the new public key (rotation) and rejects keys that are not P-256', async () => {
    expect(
      await reasonOf(
        verifyWith(sendgrid(), vector(), { secrets: [pair().publicKey, VECTOR.publicKey], now: NOW }),
      ),
    ).toBe('accepted');
    const ed = generateKeyPairSync('ed25519')
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    expect(await reasonOf(verifyWith(sendgrid(), vector(), { secrets: ed, now: NOW }))).toBe(
      'invalid_secret',
    );
    expect(await reasonOf(verifyWith(sendgrid(), vector(), { secrets: 'not a key', now: NOW }))).toBe(
      'invalid_secret',
    );
  });

  it('refuses a replay of a processed delivery', async () => {
    expect(
      await secondDeliveryKind(sendgrid(), vector(), vector(), { secrets: VECTOR.publicKey, now: NOW }),
    ).toBe('duplicate');
  });
});
