/** The sample app's webhook endpoints: the route name, its preset, and the variable holding its secret. */
export const SAMPLE_ENDPOINTS = [
  { endpoint: 'standard', scheme: 'standard-webhooks', secretVariable: 'STANDARD_WEBHOOK_SECRET' },
  { endpoint: 'stripe', scheme: 'stripe', secretVariable: 'STRIPE_WEBHOOK_SECRET' },
  { endpoint: 'github', scheme: 'github', secretVariable: 'GITHUB_WEBHOOK_SECRET' },
  { endpoint: 'shopify', scheme: 'shopify', secretVariable: 'SHOPIFY_WEBHOOK_SECRET' },
  { endpoint: 'slack', scheme: 'slack', secretVariable: 'SLACK_SIGNING_SECRET' },
  { endpoint: 'momento', scheme: 'momento', secretVariable: 'MOMENTO_SIGNING_SECRET' },
  { endpoint: 'hmac', scheme: 'hmac', secretVariable: 'HMAC_WEBHOOK_SECRET' },
  { endpoint: 'servicestack', scheme: 'servicestack', secretVariable: 'SERVICESTACK_WEBHOOK_SECRET' },
] as const;

export type SampleEndpoint = (typeof SAMPLE_ENDPOINTS)[number]['endpoint'];
