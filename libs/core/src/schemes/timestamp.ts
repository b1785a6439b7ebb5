import { WebhookVerificationError } from '../errors/webhook-verification.error.js';

const UNIX_SECONDS = /^\d{1,12}$/;

/** Parses integer Unix seconds (as Standard Webhooks, Stripe, Slack send them) into ms. */
export function parseUnixSeconds(value: string): number {
  if (!UNIX_SECONDS.test(value)) {
    throw new WebhookVerificationError('malformed_header', 'The timestamp is not integer Unix seconds.');
  }
  return Number(value) * 1000;
}

/** Parses integer Unix milliseconds. */
export function parseUnixMillis(value: string): number {
  if (!/^\d{1,15}$/.test(value)) {
    throw new WebhookVerificationError('malformed_header', 'The timestamp is not integer Unix milliseconds.');
  }
  return Number(value);
}

export function toUnixSeconds(time: Date | number): number {
  return Math.floor((typeof time === 'number' ? time : time.getTime()) / 1000);
}
