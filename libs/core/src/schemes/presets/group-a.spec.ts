import { generateKeyPairSync } from 'node:crypto';
import { deliver, reasonOf } from '../../../../../test/support/scheme-testing.js';
import * as groupA from './group-a.js';
import { PRESETS_A } from './group-a.js';

const ed25519 = generateKeyPairSync('ed25519');
const DISCORD = {
  sign: ed25519.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16).toString('hex'),
  verify: ed25519.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex'),
};
const WHSEC = 'whsec_' + Buffer.alloc(32, 1).toString('base64');
const PLAIN = 'a-plain-shared-secret-0123456789';
const NOW = 1_763_800_000_000;
const BODY = JSON.stringify({
  id: 'evt_1',
  type: 'thing.happened',
  cache: 'c',
  topic: 't',
  topic_sequence_number: 1,
  publish_timestamp: NOW,
});

const secretsFor = (name: string) =>
  name.startsWith('discord')
    ? DISCORD
    : ['standard-webhooks', 'svix', 'clerk', 'resend'].includes(name)
      ? { sign: WHSEC, verify: WHSEC }
      : { sign: PLAIN, verify: PLAIN };

describe('PRESETS_A', () => {
  it('names every group A preset by the name its scheme reports', () => {
    expect(Object.keys(PRESETS_A).sort()).toEqual(
      [
        'box',
        'clerk',
        'coinbase',
        'discord',
        'discord-webhook-events',
        'github',
        'momento',
        'resend',
        'servicestack',
        'shopify',
        'slack',
        'standard-webhooks',
        'stripe',
        'svix',
        'twitch',
        'zoom',
      ].sort(),
    );
    for (const [name, factory] of Object.entries(PRESETS_A)) expect(factory().name).toBe(name);
  });

  it('exports every factory from the barrel', () => {
    for (const factory of [
      'stripe',
      'github',
      'shopify',
      'slack',
      'momento',
      'serviceStack',
      'svix',
      'clerk',
      'resend',
      'zoom',
      'twitch',
      'discord',
      'box',
      'coinbase',
    ]) {
      expect(typeof (groupA as Record<string, unknown>)[factory]).toBe('function');
    }
  });

  it.each(Object.keys(PRESETS_A))(
    '%s: sign() round-trips through verify, and a tampered body is refused',
    async (name) => {
      const scheme = PRESETS_A[name]!();
      const { sign, verify } = secretsFor(name);
      const headers = scheme.sign({ secret: sign, body: BODY, id: 'delivery-1', timestamp: NOW });
      expect(await reasonOf(deliver(scheme, headers, BODY, { secrets: verify, now: NOW }))).toBe('accepted');
      expect(
        await reasonOf(
          deliver(scheme, headers, BODY.replace('evt_1', 'evt_2'), { secrets: verify, now: NOW }),
        ),
      ).toBe('signature_mismatch');
    },
  );
});
