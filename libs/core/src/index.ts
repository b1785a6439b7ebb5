export * from './errors/refusal.js';
export * from './errors/webhook-verification.error.js';
export * from './http/handshake-query.js';
export * from './http/public-url.js';
export * from './http/read-raw-body.js';
export * from './http/repeated-headers.js';
export type { WebhookHeaders } from './internal/headers.js';
export * from './replay/memory-replay.store.js';
export * from './replay/redis-replay.store.js';
export * from './replay/replay-key.js';
export * from './replay/replay-store.interface.js';
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
  WebhookScheme,
} from './schemes/webhook-scheme.interface.js';
export * from './secrets/check-secrets.js';
export * from './secrets/generate-secret.js';
export * from './secrets/secret.js';
export type * from './secrets/secret-resolver.interface.js';
export * from './secrets/secret-resolvers.js';
export type { VerifiedWebhook } from './verify/verified-webhook.interface.js';
export * from './verify/webhook-verifier.js';
