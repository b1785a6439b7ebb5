import type { AnyWebhookScheme } from '../webhook-scheme.interface.js';
import { dropbox } from './dropbox.scheme.js';
import { gitlab } from './gitlab.scheme.js';
import { hubspot } from './hubspot.scheme.js';
import { linear } from './linear.scheme.js';
import { mailgun } from './mailgun.scheme.js';
import { mux } from './mux.scheme.js';
import { okta } from './okta.scheme.js';
import { paddle } from './paddle.scheme.js';
import { pagerduty } from './pagerduty.scheme.js';
import { sendgrid } from './sendgrid.scheme.js';
import { square } from './square.scheme.js';
import { trello } from './trello.scheme.js';
import { twilio } from './twilio.scheme.js';
import { woocommerce } from './woocommerce.scheme.js';
import { zendesk } from './zendesk.scheme.js';

export * from './asana.scheme.js';
export * from './dropbox.scheme.js';
export * from './gitlab.scheme.js';
export * from './hubspot.scheme.js';
export * from './linear.scheme.js';
export * from './mailgun.scheme.js';
export * from './mux.scheme.js';
export * from './okta.scheme.js';
export * from './paddle.scheme.js';
export * from './pagerduty.scheme.js';
export * from './recharge.scheme.js';
export * from './sendgrid.scheme.js';
export * from './square.scheme.js';
export * from './trello.scheme.js';
export * from './twilio.scheme.js';
export * from './woocommerce.scheme.js';
export * from './zendesk.scheme.js';

/**
 * Group B presets that need no options, by the names `@VerifiedWebhook('…')` accepts. `asana`
 * (needs `onHandshake`) and `recharge` (needs `legacy: true`) are left out on purpose.
 */
export const PRESETS_B: Record<string, () => AnyWebhookScheme> = {
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
};
