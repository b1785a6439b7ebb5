// Errors
export {
  DEFAULT_STATUS_BY_REASON,
  isWebhookVerificationError,
  WebhookVerificationError,
} from './errors/webhook-verification.error.js';
export type {
  WebhookFailureReason,
  WebhookVerificationErrorOptions,
} from './errors/webhook-verification.error.js';

// The HTTP seam every adapter uses
export { handshakeAnswer, refusalAnswer } from './http/http-answer.js';
export type { HttpAnswer, HttpRefusal } from './http/http-answer.js';
export { derivedPublicUrl, publicUrl } from './http/public-url.js';
export { WebhookHttpReceiver } from './http/webhook-http-receiver.js';
export type { HttpRequestParts, WebhookHttpReceiverOptions } from './http/webhook-http-receiver.js';
export { writeAnswer } from './http/write-answer.js';
export type { WebhookHeaders } from './internal/headers.js';

// Replay stores
export { MemoryReplayStore } from './replay/memory-replay.store.js';
export type { MemoryReplayStoreOptions } from './replay/memory-replay.store.js';
export { RedisReplayStore } from './replay/redis-replay.store.js';
export type { RedisReplayStoreOptions } from './replay/redis-replay.store.js';
export { replayKey, signedContentReplayId } from './replay/replay-key.js';
export type { ReplayKeyParts } from './replay/replay-key.js';
export { ReplayStoreUnavailableError } from './replay/replay-store.interface.js';
export type { ClaimResult, ReplayStore } from './replay/replay-store.interface.js';

// Schemes
export * from './schemes/hmac.scheme.js';
export * from './schemes/presets/group-a.js';
export * from './schemes/presets/group-b.js';
export * from './schemes/standard-webhooks.scheme.js';
export * from './schemes/scheme-registry.js';
export type * from './schemes/webhook-scheme.interface.js';

// Secrets
export { checkSecrets } from './secrets/check-secrets.js';
export type { SecretCheckReport } from './secrets/check-secrets.js';
export { generateSecret } from './secrets/generate-secret.js';
export { MIN_SECRET_BYTES } from './secrets/secret.js';
export type { ResolvedSecrets, Secret, SecretInput, TenantSecrets } from './secrets/secret.js';
export type {
  KnownSecret,
  ResolverAnswer,
  SecretContext,
  SecretResolver,
  SecretResolverFunction,
} from './secrets/secret-resolver.interface.js';
export {
  secretFromEnv,
  secretResolver,
  secretsByEndpoint,
  secretsByEventType,
  secretsByTenant,
  staticSecret,
  toSecretResolver,
} from './secrets/secret-resolvers.js';
export type { SecretSource } from './secrets/secret-resolvers.js';

// Verification
export type { ReplayClaim } from './verify/replay-claim.js';
export type { VerifiedWebhookEvent } from './verify/verified-webhook-event.interface.js';
export { WEBHOOK_DEFAULTS } from './verify/webhook-options.js';
export type { HttpOptions, VerificationOptions, WebhookOptions } from './verify/webhook-options.js';
export { verifyWebhook, WebhookVerifier } from './verify/webhook-verifier.js';
export type {
  ClaimOutcome,
  HandshakeResult,
  Verification,
  VerificationOutcome,
  VerifiedDeliveryResult,
  WebhookRequest,
  WebhookVerifierOptions,
} from './verify/webhook-verifier.js';
