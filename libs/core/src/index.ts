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

// Durable processing (BullMQ: @verified-webhooks/core/bullmq)
export { InProcessQueue } from './durable/in-process-queue.js';
export type { EndpointQueueStats, QueueControl } from './durable/queue-control.js';
export { isNonRetryable, NonRetryableWebhookError } from './durable/non-retryable.error.js';
export { StoredEvent, storeDelivery } from './durable/stored-delivery.js';
export type { StoredDelivery } from './durable/stored-delivery.js';
export {
  DEFAULT_RETRY_POLICY,
  QueueUnavailableError,
  retryDelayMs,
} from './durable/webhook-queue.interface.js';
export type {
  DeadLetter,
  DeadLetterAction,
  DeadLetterFilter,
  JobProcessor,
  RetryPolicy,
  WebhookJob,
  WebhookQueue,
} from './durable/webhook-queue.interface.js';

// Archive and replay (S3: @verified-webhooks/core/s3)
export { archiveEntry } from './archive/archive-entry.js';
export type { ArchiveEntryOptions, ArchiveRedaction } from './archive/archive-entry.js';
export { replayArchived, replayOf, selectForReplay } from './archive/archive-replay.js';
export type { ReplayedDelivery, ReplayOptions } from './archive/archive-replay.js';
export {
  archiveIdOf,
  archiveKey,
  matchesArchiveFilter,
  outcomeKey,
} from './archive/archive-sink.interface.js';
export type {
  ArchivedDelivery,
  ArchiveFilter,
  ArchiveRef,
  ArchiveSink,
  HandlerOutcome,
} from './archive/archive-sink.interface.js';
export { FsArchiveSink } from './archive/fs-archive.sink.js';
export type { FsArchiveSinkOptions } from './archive/fs-archive.sink.js';
export { QueueArchive } from './archive/queue-archive.sink.js';
export { replayToUrl } from './archive/replay-to-url.js';
export type { PostedReplay, ReplayToUrlOptions } from './archive/replay-to-url.js';

// Event handlers
export { eventNamesOf, WebhookDispatcher } from './handlers/webhook-dispatcher.js';
export type { DispatchResult, WebhookHandler, WebhookHandlerContext } from './handlers/webhook-dispatcher.js';
export type {
  EndpointSchemeOf,
  WebhookEventMap,
  WebhookEventName,
  WebhookEventOf,
  WebhookEventPattern,
  WebhookPayloadOf,
} from './handlers/webhook-event-map.js';
export { idempotencyKey } from './handlers/idempotency-key.js';

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
export type { TimestampedHmacParsed } from './schemes/families/timestamped-hmac.scheme.js';
export type { UrlHmacParsed } from './schemes/families/url-hmac.scheme.js';
export { type HmacAlgorithm, type HmacSchemeOptions, hmac } from './schemes/hmac.scheme.js';
export { type PresetName, presetNames, resolveScheme } from './schemes/preset-registry.js';
export { type AsanaOptions, asana } from './schemes/presets/asana.scheme.js';
export { type BoxOptions, type BoxParsed, box } from './schemes/presets/box.scheme.js';
export { type CoinbaseOptions, coinbase } from './schemes/presets/coinbase.scheme.js';
export { type DiscordOptions, type DiscordParsed, discord } from './schemes/presets/discord.scheme.js';
export { type DropboxOptions, dropbox } from './schemes/presets/dropbox.scheme.js';
export { type GithubOptions, type GithubParsed, github } from './schemes/presets/github.scheme.js';
export { type GitLabOptions, gitlab } from './schemes/presets/gitlab.scheme.js';
export { type HubSpotOptions, type HubSpotParsed, hubspot } from './schemes/presets/hubspot.scheme.js';
export { type LinearOptions, linear } from './schemes/presets/linear.scheme.js';
export {
  type MailgunOptions,
  type MailgunParsed,
  mailgun,
  mailgunSignature,
} from './schemes/presets/mailgun.scheme.js';
export { type MomentoOptions, type MomentoParsed, momento } from './schemes/presets/momento.scheme.js';
export { type MuxOptions, mux } from './schemes/presets/mux.scheme.js';
export { type OktaOptions, okta } from './schemes/presets/okta.scheme.js';
export {
  type PaddleOptions,
  PADDLE_DEFAULT_TOLERANCE_MS,
  PADDLE_SDK_TOLERANCE_MS,
  paddle,
} from './schemes/presets/paddle.scheme.js';
export { type PagerDutyOptions, pagerduty } from './schemes/presets/pagerduty.scheme.js';
export { type RechargeOptions, recharge } from './schemes/presets/recharge.scheme.js';
export { type SendGridOptions, type SendGridParsed, sendgrid } from './schemes/presets/sendgrid.scheme.js';
export { type ServiceStackOptions, serviceStack } from './schemes/presets/servicestack.scheme.js';
export { type ShopifyOptions, shopify } from './schemes/presets/shopify.scheme.js';
export { type SlackOptions, slack } from './schemes/presets/slack.scheme.js';
export { type SquareOptions, square } from './schemes/presets/square.scheme.js';
export { clerk, resend, svix } from './schemes/presets/standard-aliases.scheme.js';
export { type StripeOptions, type StripeParsed, stripe } from './schemes/presets/stripe.scheme.js';
export { type TrelloOptions, trello } from './schemes/presets/trello.scheme.js';
export { type TwilioOptions, type TwilioParsed, twilio } from './schemes/presets/twilio.scheme.js';
export { type TwitchOptions, type TwitchParsed, twitch } from './schemes/presets/twitch.scheme.js';
export { type WooCommerceOptions, woocommerce } from './schemes/presets/woocommerce.scheme.js';
export { type ZendeskOptions, type ZendeskParsed, zendesk } from './schemes/presets/zendesk.scheme.js';
export { type ZoomOptions, zoom } from './schemes/presets/zoom.scheme.js';
export { type BitbucketOptions, bitbucket } from './schemes/presets/bitbucket.scheme.js';
export { type CalendlyOptions, calendly } from './schemes/presets/calendly.scheme.js';
export { type IntercomOptions, intercom } from './schemes/presets/intercom.scheme.js';
export { type JiraOptions, jira } from './schemes/presets/jira.scheme.js';
export { type LemonSqueezyOptions, lemonSqueezy } from './schemes/presets/lemonsqueezy.scheme.js';
export { type LineOptions, line } from './schemes/presets/line.scheme.js';
export { type MetaOptions, meta } from './schemes/presets/meta.scheme.js';
export { openai } from './schemes/presets/openai.scheme.js';
export { type SanityOptions, sanity } from './schemes/presets/sanity.scheme.js';
export { type SentryOptions, sentry } from './schemes/presets/sentry.scheme.js';
export { type TelegramOptions, telegram } from './schemes/presets/telegram.scheme.js';
export { type TelnyxOptions, type TelnyxParsed, telnyx } from './schemes/presets/telnyx.scheme.js';
export { type TypeformOptions, typeform } from './schemes/presets/typeform.scheme.js';
export { type VercelOptions, vercel } from './schemes/presets/vercel.scheme.js';
export { type WorkOSOptions, workos } from './schemes/presets/workos.scheme.js';
// Keys fetched from the provider (docs/architecture.md, "Keys that are fetched").
export {
  type SnsMessage,
  type SnsMessageType,
  type SnsOptions,
  type SnsParsed,
  type SnsTopicKey,
  sns,
} from './schemes/presets/sns.scheme.js';
export {
  type GooglePubSubOptions,
  type GooglePubSubParsed,
  googlePubSub,
} from './schemes/presets/google-pubsub.scheme.js';
export {
  GRAPH_CHANGE_NOTIFICATION_PUBLISHER,
  type MicrosoftGraphOptions,
  type MicrosoftGraphParsed,
  microsoftGraph,
  REDACTED_CLIENT_STATE,
} from './schemes/presets/microsoft-graph.scheme.js';
export {
  defaultKeyFetcher,
  type FetchedBody,
  KeyFetcher,
  type KeyFetcherOptions,
} from './keys/key-fetcher.js';
export type { DecodedJwt } from './keys/jwt.js';
export type { KeyUrlPolicy } from './keys/key-url-policy.js';
export {
  type AdyenOptions,
  type AdyenParsed,
  adyen,
  adyenHmacSignature,
} from './schemes/presets/adyen.scheme.js';
export { type BuildkiteOptions, buildkite } from './schemes/presets/buildkite.scheme.js';
export { type CalComOptions, calCom } from './schemes/presets/cal-com.scheme.js';
export { type CheckoutComOptions, checkoutCom } from './schemes/presets/checkout-com.scheme.js';
export { type CircleCiOptions, circleci } from './schemes/presets/circleci.scheme.js';
export { type CustomerIoOptions, customerIo } from './schemes/presets/customer-io.scheme.js';
export { dodoPayments } from './schemes/presets/dodo-payments.scheme.js';
export { type GhostOptions, ghost } from './schemes/presets/ghost.scheme.js';
export { type GiteaOptions, gitea } from './schemes/presets/gitea.scheme.js';
export { type GoCardlessOptions, gocardless } from './schemes/presets/gocardless.scheme.js';
export { type HerokuOptions, heroku } from './schemes/presets/heroku.scheme.js';
export { type PaystackOptions, paystack } from './schemes/presets/paystack.scheme.js';
export { type PolarKey, polar } from './schemes/presets/polar.scheme.js';
export { type PusherOptions, pusher } from './schemes/presets/pusher.scheme.js';
export { type RazorpayOptions, razorpay } from './schemes/presets/razorpay.scheme.js';
export { replicate } from './schemes/presets/replicate.scheme.js';
export { type TerraformCloudOptions, terraformCloud } from './schemes/presets/terraform-cloud.scheme.js';
export { type WebflowOptions, webflow } from './schemes/presets/webflow.scheme.js';
export { type XeroOptions, xero } from './schemes/presets/xero.scheme.js';
export {
  type StandardWebhooksKey,
  type StandardWebhooksOptions,
  type StandardWebhooksParsed,
  standardWebhooks,
} from './schemes/standard-webhooks.scheme.js';
export type {
  AnyWebhookScheme,
  HandshakeReply,
  HandshakeRequest,
  ParseContext,
  ParsedWebhook,
  ParseLimits,
  SignedFields,
  SignInput,
  VerifyResult,
  WebhookScheme,
} from './schemes/webhook-scheme.interface.js';

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
export type { EventIdOf, VerifiedEventOf } from './verify/verified-event-of.js';
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
