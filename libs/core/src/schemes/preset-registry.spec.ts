import { generateKeyPairSync } from 'node:crypto';
import { deliver, reasonOf } from '../testing/scheme-testing.js';
import * as core from '../index.js';
import type { PresetName } from './preset-registry.js';
import { PRESETS, presetNames, resolveScheme } from './preset-registry.js';

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

/** `standard` is an alias: its scheme reports `standard-webhooks`. */
const ALIASES: Partial<Record<PresetName, string>> = { standard: 'standard-webhooks' };

const secretsFor = (name: string) =>
  name.startsWith('discord')
    ? DISCORD
    : [
          'standard-webhooks',
          'standard',
          'svix',
          'clerk',
          'resend',
          'openai',
          'replicate',
          'dodo-payments',
        ].includes(name)
      ? { sign: WHSEC, verify: WHSEC }
      : { sign: PLAIN, verify: PLAIN };

/** Presets whose defaults sign and verify here without a URL, a form body or a key pair of their own. */
const ROUND_TRIPS: readonly PresetName[] = [
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
  'standard',
  'standard-webhooks',
  'stripe',
  'svix',
  'twitch',
  'zoom',
  // Second wave (issue 19, part A).
  'bitbucket',
  'calendly',
  'intercom',
  'jira',
  'lemonsqueezy',
  'line',
  'meta',
  'openai',
  'sanity',
  'sentry',
  'typeform',
  'vercel',
  'workos',
  // Second wave (issue 19).
  'buildkite',
  'cal-com',
  'checkout-com',
  'circleci',
  'customer-io',
  'dodo-payments',
  'ghost',
  'gitea',
  'gocardless',
  'heroku',
  'paystack',
  'polar',
  'pusher',
  'razorpay',
  'replicate',
  'terraform-cloud',
  'webflow',
  'xero',
];

describe('PRESETS', () => {
  it('names every option-free preset, each built under the name its scheme reports', () => {
    expect(presetNames()).toEqual(
      [
        'box',
        'clerk',
        'coinbase',
        'discord',
        'discord-webhook-events',
        'dropbox',
        'github',
        'gitlab',
        'hubspot',
        'linear',
        'mailgun',
        'momento',
        'mux',
        'okta',
        'paddle',
        'pagerduty',
        'resend',
        'sendgrid',
        'servicestack',
        'shopify',
        'slack',
        'square',
        'standard',
        'standard-webhooks',
        'stripe',
        'svix',
        'trello',
        'twilio',
        'twitch',
        'woocommerce',
        'zendesk',
        'zoom',
        // Second wave (issue 19, part A).
        'bitbucket',
        'calendly',
        'intercom',
        'jira',
        'lemonsqueezy',
        'line',
        'meta',
        'openai',
        'sanity',
        'sentry',
        'telegram',
        'telnyx',
        'typeform',
        'vercel',
        'workos',
        'sns',
        'google-pubsub',
        'microsoft-graph',
        // Second wave (issue 19).
        'adyen',
        'buildkite',
        'cal-com',
        'checkout-com',
        'circleci',
        'customer-io',
        'dodo-payments',
        'ghost',
        'gitea',
        'gocardless',
        'heroku',
        'paystack',
        'polar',
        'pusher',
        'razorpay',
        'replicate',
        'terraform-cloud',
        'webflow',
        'xero',
      ].sort(),
    );
    for (const name of presetNames()) expect(PRESETS[name]().name).toBe(ALIASES[name] ?? name);
    expect(PRESETS).not.toHaveProperty('asana');
    expect(PRESETS).not.toHaveProperty('recharge');
  });

  it('exports every factory from the package, and not the registry itself', () => {
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
      'asana',
      'dropbox',
      'gitlab',
      'hubspot',
      'linear',
      'mailgun',
      'mux',
      'okta',
      'paddle',
      'pagerduty',
      'recharge',
      'sendgrid',
      'square',
      'trello',
      'twilio',
      'woocommerce',
      'zendesk',
      // Second wave (issue 19, part A).
      'bitbucket',
      'calendly',
      'intercom',
      'jira',
      'lemonSqueezy',
      'line',
      'meta',
      'openai',
      'sanity',
      'sentry',
      'telegram',
      'telnyx',
      'typeform',
      'vercel',
      'workos',
      'sns',
      'googlePubSub',
      'microsoftGraph',
      // Second wave (issue 19).
      'adyen',
      'adyenHmacSignature',
      'buildkite',
      'calCom',
      'checkoutCom',
      'circleci',
      'customerIo',
      'dodoPayments',
      'ghost',
      'gitea',
      'gocardless',
      'heroku',
      'paystack',
      'polar',
      'pusher',
      'razorpay',
      'replicate',
      'terraformCloud',
      'webflow',
      'xero',
      'hmac',
      'standardWebhooks',
      'resolveScheme',
      'presetNames',
    ]) {
      expect(typeof (core as Record<string, unknown>)[factory]).toBe('function');
    }
    expect(core).not.toHaveProperty('PRESETS');
    expect(core).not.toHaveProperty('registerScheme');
  });

  it.each(ROUND_TRIPS)(
    '%s: sign() round-trips through verify, and a tampered body is refused',
    async (name) => {
      const scheme = PRESETS[name]();
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

describe('resolveScheme', () => {
  it('resolves every registry name to its preset', () => {
    for (const name of presetNames()) expect(resolveScheme(name).name).toBe(ALIASES[name] ?? name);
  });

  it('passes a scheme object through', () => {
    const scheme = core.hmac({ signatureHeader: 'x-hmac' });
    expect(resolveScheme(scheme)).toBe(scheme);
  });

  it('does not compile a misspelt name, and refuses it at runtime with the known names', () => {
    // @ts-expect-error 'strpie' is not a PresetName: the misspelling is caught by the typecheck.
    expect(() => resolveScheme('strpie')).toThrow(
      /Unknown webhook scheme "strpie"\. Known: (?:[a-z-]+, )*box, (?:[a-z-]+, )*clerk,/,
    );
    // @ts-expect-error inherited Object members are not presets either.
    expect(() => resolveScheme('toString')).toThrow(/Unknown webhook scheme "toString"/);
  });
});
