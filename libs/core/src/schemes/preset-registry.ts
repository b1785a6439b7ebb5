import { bitbucket } from './presets/bitbucket.scheme.js';
import { calendly } from './presets/calendly.scheme.js';
import { intercom } from './presets/intercom.scheme.js';
import { jira } from './presets/jira.scheme.js';
import { lemonSqueezy } from './presets/lemonsqueezy.scheme.js';
import { line } from './presets/line.scheme.js';
import { meta } from './presets/meta.scheme.js';
import { openai } from './presets/openai.scheme.js';
import { sanity } from './presets/sanity.scheme.js';
import { sentry } from './presets/sentry.scheme.js';
import { telegram } from './presets/telegram.scheme.js';
import { telnyx } from './presets/telnyx.scheme.js';
import { typeform } from './presets/typeform.scheme.js';
import { vercel } from './presets/vercel.scheme.js';
import { workos } from './presets/workos.scheme.js';
import { adyen } from './presets/adyen.scheme.js';
import { buildkite } from './presets/buildkite.scheme.js';
import { calCom } from './presets/cal-com.scheme.js';
import { checkoutCom } from './presets/checkout-com.scheme.js';
import { circleci } from './presets/circleci.scheme.js';
import { customerIo } from './presets/customer-io.scheme.js';
import { dodoPayments } from './presets/dodo-payments.scheme.js';
import { ghost } from './presets/ghost.scheme.js';
import { gitea } from './presets/gitea.scheme.js';
import { gocardless } from './presets/gocardless.scheme.js';
import { heroku } from './presets/heroku.scheme.js';
import { paystack } from './presets/paystack.scheme.js';
import { polar } from './presets/polar.scheme.js';
import { pusher } from './presets/pusher.scheme.js';
import { razorpay } from './presets/razorpay.scheme.js';
import { replicate } from './presets/replicate.scheme.js';
import { terraformCloud } from './presets/terraform-cloud.scheme.js';
import { webflow } from './presets/webflow.scheme.js';
import { xero } from './presets/xero.scheme.js';
import { box } from './presets/box.scheme.js';
import { coinbase } from './presets/coinbase.scheme.js';
import { discord } from './presets/discord.scheme.js';
import { dropbox } from './presets/dropbox.scheme.js';
import { github } from './presets/github.scheme.js';
import { googlePubSub } from './presets/google-pubsub.scheme.js';
import { gitlab } from './presets/gitlab.scheme.js';
import { hubspot } from './presets/hubspot.scheme.js';
import { linear } from './presets/linear.scheme.js';
import { mailgun } from './presets/mailgun.scheme.js';
import { microsoftGraph } from './presets/microsoft-graph.scheme.js';
import { momento } from './presets/momento.scheme.js';
import { mux } from './presets/mux.scheme.js';
import { okta } from './presets/okta.scheme.js';
import { paddle } from './presets/paddle.scheme.js';
import { pagerduty } from './presets/pagerduty.scheme.js';
import { sendgrid } from './presets/sendgrid.scheme.js';
import { serviceStack } from './presets/servicestack.scheme.js';
import { shopify } from './presets/shopify.scheme.js';
import { slack } from './presets/slack.scheme.js';
import { sns } from './presets/sns.scheme.js';
import { square } from './presets/square.scheme.js';
import { clerk, resend, svix } from './presets/standard-aliases.scheme.js';
import { stripe } from './presets/stripe.scheme.js';
import { trello } from './presets/trello.scheme.js';
import { twilio } from './presets/twilio.scheme.js';
import { twitch } from './presets/twitch.scheme.js';
import { woocommerce } from './presets/woocommerce.scheme.js';
import { zendesk } from './presets/zendesk.scheme.js';
import { zoom } from './presets/zoom.scheme.js';
import { standardWebhooks } from './standard-webhooks.scheme.js';
import type { AnyWebhookScheme } from './webhook-scheme.interface.js';

/**
 * Every preset that needs no options, by the name `@VerifiedWebhook('…')` accepts; each builds the
 * preset with its defaults. `asana` (needs `onHandshake`) and `recharge` (needs `legacy: true`) are
 * left out on purpose: they are used as `asana({...})` / `recharge({...})`.
 */
export const PRESETS = {
  'standard-webhooks': () => standardWebhooks(),
  standard: () => standardWebhooks(),
  svix: () => svix(),
  clerk: () => clerk(),
  resend: () => resend(),
  stripe: () => stripe(),
  github: () => github(),
  shopify: () => shopify(),
  slack: () => slack(),
  momento: () => momento(),
  servicestack: () => serviceStack(),
  zoom: () => zoom(),
  twitch: () => twitch(),
  discord: () => discord(),
  'discord-webhook-events': () => discord({ name: 'discord-webhook-events', webhookEvents: true }),
  box: () => box(),
  coinbase: () => coinbase(),
  twilio: () => twilio(),
  paddle: () => paddle(),
  square: () => square(),
  linear: () => linear(),
  hubspot: () => hubspot(),
  mailgun: () => mailgun(),
  sendgrid: () => sendgrid(),
  pagerduty: () => pagerduty(),
  gitlab: () => gitlab(),
  zendesk: () => zendesk(),
  woocommerce: () => woocommerce(),
  mux: () => mux(),
  dropbox: () => dropbox(),
  okta: () => okta(),
  trello: () => trello(),
  // Second wave (issue 19, part A). `meta` here has no verify token: it verifies deliveries and
  // refuses the GET hub.challenge check until built as meta({ verifyToken }).
  intercom: () => intercom(),
  typeform: () => typeform(),
  calendly: () => calendly(),
  bitbucket: () => bitbucket(),
  lemonsqueezy: () => lemonSqueezy(),
  vercel: () => vercel(),
  sentry: () => sentry(),
  jira: () => jira(),
  meta: () => meta(),
  telegram: () => telegram(),
  line: () => line(),
  telnyx: () => telnyx(),
  workos: () => workos(),
  openai: () => openai(),
  sanity: () => sanity(),
  // Keys fetched from the provider (docs/architecture.md, "Keys that are fetched").
  sns: () => sns(),
  'google-pubsub': () => googlePubSub(),
  'microsoft-graph': () => microsoftGraph(),
  // Second wave (issue 19): payments, CI, CMS, messaging.
  adyen: () => adyen(),
  buildkite: () => buildkite(),
  'cal-com': () => calCom(),
  'checkout-com': () => checkoutCom(),
  circleci: () => circleci(),
  'customer-io': () => customerIo(),
  'dodo-payments': () => dodoPayments(),
  ghost: () => ghost(),
  gitea: () => gitea(),
  gocardless: () => gocardless(),
  heroku: () => heroku(),
  paystack: () => paystack(),
  polar: () => polar(),
  pusher: () => pusher(),
  razorpay: () => razorpay(),
  replicate: () => replicate(),
  'terraform-cloud': () => terraformCloud(),
  webflow: () => webflow(),
  xero: () => xero(),
} as const satisfies Readonly<Record<string, () => AnyWebhookScheme>>;

/** A preset name: a misspelt `@VerifiedWebhook('strpie')` does not compile. */
export type PresetName = keyof typeof PRESETS;

/** The preset names `resolveScheme` knows, for error messages and the CLI. */
export const presetNames = (): PresetName[] => (Object.keys(PRESETS) as PresetName[]).sort();

/** A scheme object passes through; a name builds its preset. */
export function resolveScheme(scheme: AnyWebhookScheme | PresetName): AnyWebhookScheme {
  if (typeof scheme !== 'string') return scheme;
  // JavaScript callers (and the CLI) can pass any string: refuse an unknown one with the known names.
  const factory: (() => AnyWebhookScheme) | undefined = Object.hasOwn(PRESETS, scheme)
    ? PRESETS[scheme]
    : undefined;
  if (!factory) {
    throw new Error(
      `Unknown webhook scheme "${scheme}". Known: ${presetNames().join(', ')}; or pass a scheme object such as hmac({...}).`,
    );
  }
  return factory();
}
