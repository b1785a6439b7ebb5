import { createHmac, randomUUID } from 'node:crypto';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { getHmac } from '@shopify/shopify-api/test-helpers';
import { momento, slack } from '@verified-webhooks/core';
import { sign } from '@verified-webhooks/core/testing';
import Stripe from 'stripe';
import request from 'supertest';
import type { RunningSampleApp } from '../support/sample-app.js';
import { startSampleApp } from '../support/sample-app.js';

const SECRETS = {
  STRIPE_WEBHOOK_SECRET: 'whsec_stripe_e2e_0123456789abcdef',
  GITHUB_WEBHOOK_SECRET: 'github-e2e-secret-0123456789abcdef',
  SHOPIFY_WEBHOOK_SECRET: 'shopify-e2e-secret-0123456789abcd',
  SLACK_SIGNING_SECRET: 'slack-e2e-signing-secret-01234567',
  MOMENTO_SIGNING_SECRET: 'momento-e2e-signing-secret-012345',
  SERVICESTACK_WEBHOOK_SECRET: 'servicestack-e2e-secret-012345678',
};

/** Each sample route, fed a delivery signed the way its provider signs (official SDK where one exists). */
describe('sample app provider routes', () => {
  let sample: RunningSampleApp;
  const events = async () => (await request(sample.url).get('/events')).body as Record<string, unknown>[];
  const postTwice = async (path: string, headers: Record<string, string>, body: string) => {
    const first = await request(sample.url).post(path).set(headers).send(body);
    const again = await request(sample.url).post(path).set(headers).send(body);
    const tampered = await request(sample.url).post(path).set(headers).send(body.replace('}', ',"x":1}'));
    return { first, again, tampered };
  };

  beforeAll(async () => {
    sample = await startSampleApp(SECRETS);
  });
  afterAll(() => sample.close());

  it('stripe: accepts stripe.webhooks.generateTestHeaderString, keys replays on the signed evt id', async () => {
    const id = `evt_${randomUUID()}`;
    const body = JSON.stringify({
      id,
      object: 'event',
      type: 'invoice.paid',
      data: { object: { id: 'in_1', object: 'invoice', amount_paid: 4200 } },
    });
    const header = new Stripe('sk_test_e2e').webhooks.generateTestHeaderString({
      payload: body,
      secret: SECRETS.STRIPE_WEBHOOK_SECRET,
    });
    const { first, again, tampered } = await postTwice(
      '/webhooks/stripe',
      { 'content-type': 'application/json', 'stripe-signature': header },
      body,
    );
    expect([first.status, again.body, tampered.status]).toEqual([200, { duplicate: true }, 401]);
    expect(
      (await events()).filter((event) => event.endpoint === 'stripe' && event.type === 'invoice.paid'),
    ).toHaveLength(1);
  });

  it('github: accepts @octokit/webhooks-methods sign', async () => {
    const number = randomUUID();
    const body = JSON.stringify({ action: 'opened', number, pull_request: { number } });
    const signature = await octokitSign(SECRETS.GITHUB_WEBHOOK_SECRET, body);
    const delivery = randomUUID();
    const { first, again, tampered } = await postTwice(
      '/webhooks/github',
      {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
        'x-github-event': 'pull_request',
        'x-github-delivery': delivery,
      },
      body,
    );
    expect([first.status, again.body, tampered.status]).toEqual([200, { duplicate: true }, 401]);
    expect((await events()).filter((event) => event.id === delivery)).toMatchObject([
      { type: 'pull_request' },
    ]);
  });

  it('shopify: accepts @shopify/shopify-api test-helpers getHmac', async () => {
    const body = JSON.stringify({ id: randomUUID(), total_price: '10.00' });
    const webhookId = randomUUID();
    const { first, again, tampered } = await postTwice(
      '/webhooks/shopify',
      {
        'content-type': 'application/json',
        'x-shopify-hmac-sha256': getHmac(body, SECRETS.SHOPIFY_WEBHOOK_SECRET),
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': 'example.myshopify.com',
        'x-shopify-api-version': '2025-10',
        'x-shopify-webhook-id': webhookId,
      },
      body,
    );
    expect([first.status, again.body, tampered.status]).toEqual([200, { duplicate: true }, 401]);
    expect(
      (await events()).filter((event) => event.endpoint === 'shopify' && event.type === 'orders/create')
        .length,
    ).toBe(1);
  });

  it('slack: accepts our signer (proven against @slack/bolt verifySlackRequest) and answers url_verification', async () => {
    const body = JSON.stringify({
      type: 'event_callback',
      event_id: `Ev${randomUUID()}`,
      event: { type: 'app_mention' },
    });
    const { headers } = sign(slack(), { secret: SECRETS.SLACK_SIGNING_SECRET, body });
    const { first, again, tampered } = await postTwice('/webhooks/slack', headers, body);
    expect([first.status, again.body, tampered.status]).toEqual([200, { duplicate: true }, 401]);

    const before = (await events()).length;
    const challenge = JSON.stringify({ type: 'url_verification', token: 't', challenge: 'c-123' });
    const signed = sign(slack(), { secret: SECRETS.SLACK_SIGNING_SECRET, body: challenge });
    const answer = await request(sample.url).post('/webhooks/slack').set(signed.headers).send(challenge);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('c-123');
    const forged = await request(sample.url)
      .post('/webhooks/slack')
      .set({ ...signed.headers, 'x-slack-signature': 'v0=' + '0'.repeat(64) })
      .send(challenge);
    expect(forged.status).toBe(401);
    expect((await events()).length).toBe(before);
  });

  it('momento: accepts our signer (proven against @gomomento/sdk WebhookUtils) with a fresh publish_timestamp', async () => {
    const body = JSON.stringify({
      cache: 'c',
      topic: 't',
      event_timestamp: Date.now(),
      publish_timestamp: Date.now(),
      topic_sequence_number: Math.floor(Math.random() * 1e9),
      token_id: '',
      text: 'hello',
    });
    const { headers } = sign(momento(), { secret: SECRETS.MOMENTO_SIGNING_SECRET, body });
    const { first, again, tampered } = await postTwice(
      '/webhooks/momento',
      { ...headers, 'content-type': 'application/json' },
      body,
    );
    expect([first.status, again.body, tampered.status]).toEqual([200, { duplicate: true }, 401]);
  });

  it('servicestack: accepts sha1= carrying an HMAC-SHA256 hex (node:crypto, as ServiceStack computes it)', async () => {
    const body = JSON.stringify({ id: randomUUID(), name: 'order.created' });
    const mac = createHmac('sha256', SECRETS.SERVICESTACK_WEBHOOK_SECRET).update(body).digest('hex');
    const delivery = randomUUID();
    const { first, again, tampered } = await postTwice(
      '/webhooks/servicestack',
      {
        'content-type': 'application/json',
        'x-hub-signature': `sha1=${mac}`,
        'x-webhook-delivery': delivery,
        'x-webhook-event': 'order.created',
      },
      body,
    );
    expect([first.status, again.body, tampered.status]).toEqual([200, { duplicate: true }, 401]);
    expect((await events()).filter((event) => event.id === delivery)).toMatchObject([
      { type: 'order.created' },
    ]);
  });
});
