import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader } from '../../internal/headers.js';
import type {
  HandshakeReply,
  HandshakeRequest,
  ParsedWebhook,
  WebhookScheme,
} from '../webhook-scheme.interface.js';
import { v0Hmac, v0ReplayId } from '../families/v0-hmac.scheme.js';
import { jsonReply } from '../kit/handshake-reply.js';
import { bodyIdReplayId, jsonObject, stringField } from '../kit/json-fields.js';

export interface SlackOptions {
  /** Freshness window in ms. Default 5 minutes, as Bolt (which checks only the past; we check both ways). */
  toleranceMs?: number;
  name?: string;
}

/** An `ssl_check` body is tiny; anything larger is not one. */
const MAX_SSL_CHECK_BYTES = 512;
const SSL_CHECK_FIELDS = new Set(['ssl_check', 'token']);
const MAX_CHALLENGE_LENGTH = 1024;

/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of v0:{timestamp}:{body}>` with
 * `X-Slack-Request-Timestamp` (Unix s). Answers the signed `url_verification` challenge and the
 * unsigned `ssl_check=1` probe; the replay key is the signed body's `event_id` when it has one
 * (Slack's retries share it), else a digest of the signed timestamp and body.
 */
export function slack(options: SlackOptions = {}): WebhookScheme<Buffer> {
  const base = v0Hmac({
    name: options.name ?? 'slack',
    signatureHeader: 'x-slack-signature',
    timestampHeader: 'x-slack-request-timestamp',
    toleranceMs: options.toleranceMs ?? 5 * 60_000,
  });

  return {
    ...base,

    /** Events API `event_id` from the verified body, exposed as the event's id. */
    eventId: (_parsed: ParsedWebhook, rawBody: Buffer) => stringField(jsonObject(rawBody), 'event_id'),

    replayId(parsed: ParsedWebhook, rawBody: Buffer): string {
      const eventId = stringField(jsonObject(rawBody), 'event_id');
      return eventId !== undefined ? bodyIdReplayId(eventId) : v0ReplayId(parsed, rawBody);
    },

    /**
     * Slack's SSL probe is the one unsigned request answered: a form POST whose only fields are
     * `ssl_check=1` and optionally `token`. The reply is an empty 200 and no handler runs, so a
     * forged probe gains nothing; anything else, however close, goes through verification.
     */
    unsignedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      return isSslCheck(request) ? { status: 200 } : undefined;
    },

    /** Signed `{"type":"url_verification","challenge":…}` → 200 `{"challenge":…}` (as Bolt answers). */
    signedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      const body = jsonObject(request.rawBody);
      if (body?.type !== 'url_verification') return undefined;
      const challenge = stringField(body, 'challenge', MAX_CHALLENGE_LENGTH);
      return challenge === undefined ? undefined : jsonReply({ challenge });
    },
  };
}

function isSslCheck(request: HandshakeRequest): boolean {
  if (request.method.toUpperCase() !== 'POST') return false;
  if (request.rawBody.length === 0 || request.rawBody.length > MAX_SSL_CHECK_BYTES) return false;
  if (!isForm(request.headers)) return false;
  const text = request.rawBody.toString('utf8');
  const seen = new Set<string>();
  let sslCheck: string | undefined;
  for (const pair of text.split('&')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) return false;
    let field: string;
    let value: string;
    try {
      field = decodeURIComponent(pair.slice(0, equals).replace(/\+/g, ' '));
      value = decodeURIComponent(pair.slice(equals + 1).replace(/\+/g, ' '));
    } catch {
      return false;
    }
    if (!SSL_CHECK_FIELDS.has(field) || seen.has(field)) return false;
    seen.add(field);
    if (field === 'ssl_check') sslCheck = value;
  }
  return sslCheck === '1';
}

function isForm(headers: WebhookHeaders): boolean {
  let contentType: string | undefined;
  try {
    contentType = readHeader(headers, 'content-type', 256);
  } catch {
    return false;
  }
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}
