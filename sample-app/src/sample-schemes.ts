import { hmac } from '@verified-webhooks/core';

/** The generic HMAC sender of AWS API Gateway + SQS + Lambda setups: hex HMAC-SHA256 of the body. */
export const hmacScheme = hmac({
  signatureHeader: 'x-hmac',
  idHeader: 'x-webhook-id',
  typeHeader: 'x-topic',
});
