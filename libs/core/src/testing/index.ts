export { sign } from './sign.js';
export type { SignedDelivery } from './sign.js';
export {
  deliver,
  eventOf,
  reasonAndStatusOf,
  reasonOf,
  replayWithFreshHeaders,
  replyOf,
  secondDeliveryKind,
  verifiedEvent,
  verifyWith,
} from './scheme-testing.js';
export type { DeliveryOptions, TestHeaders, TestRequest, VerifyOptions } from './scheme-testing.js';
export { generateSecret } from '../secrets/generate-secret.js';
export type { SignInput } from '../schemes/webhook-scheme.interface.js';
export {
  signGraphValidationToken,
  signPubSubPush,
  signRs256Jwt,
  signSnsMessage,
} from './fetched-key-signers.js';
export type { GraphTokenInput, PubSubPushInput, SnsSignInput } from './fetched-key-signers.js';
