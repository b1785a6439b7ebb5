import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { safeEqual } from '../../internal/safe-compare.js';
import type { DecodedJwt } from '../../keys/jwt.js';
import { checkJwtTimes, decodeRs256Jwt, verifyRs256 } from '../../keys/jwt.js';
import { keyById } from '../../keys/key-by-id.js';
import type { KeyFetcher } from '../../keys/key-fetcher.js';
import { defaultKeyFetcher } from '../../keys/key-fetcher.js';
import { parsePemCertificateMap } from '../../keys/key-sets.js';
import { GOOGLE_OAUTH2_CERTS, GOOGLE_OAUTH2_CERTS_URL } from '../../keys/key-url-policy.js';
import { jsonObject, MAX_BODY_ID_LENGTH } from '../kit/json-fields.js';
import { requireSignatureHeader } from '../kit/signature-header.js';
import type { ParseContext, ParsedWebhook, WebhookScheme } from '../webhook-scheme.interface.js';

export interface GooglePubSubOptions {
  /** Scheme name for logs and the default endpoint. Default `google-pubsub`. */
  name?: string;
  /**
   * The audience set on the push subscription. Default: the request's public URL (Pub/Sub's own
   * default is the push endpoint URL), which needs `publicBaseUrl`.
   */
  audience?: string | readonly string[];
  /** Where Google's certificates are fetched through; default one shared production fetcher. */
  keys?: KeyFetcher;
  /** Clock skew allowed on `exp` and `iat`. Default 5 minutes (google-auth-library's 300 s). */
  leewayMs?: number;
}

export interface GooglePubSubParsed extends ParsedWebhook {
  readonly token: DecodedJwt;
  /** `message.messageId` from the push envelope: NOT signed (the token does not cover the body). */
  readonly id: string;
  readonly subscription: string;
}

const ISSUERS = new Set(['accounts.google.com', 'https://accounts.google.com']);
const EMAIL = /^[^\s@]{1,64}@[A-Za-z0-9.-]{1,190}$/;
const SUBSCRIPTION = /^projects\/[^/\s]{1,100}\/subscriptions\/[^/\s]{1,255}$/;
/** Google's ID tokens live an hour; google-auth-library refuses more than a day. */
const MAX_LIFETIME_MS = 24 * 60 * 60_000;
const CERTS_URL = new URL(GOOGLE_OAUTH2_CERTS_URL);

/**
 * Google Cloud Pub/Sub push with authentication (docs/providers.md, "Google Cloud Pub/Sub"):
 * `Authorization: Bearer <OIDC token>`, RS256-signed by Google (`iss` accounts.google.com) for the
 * subscription's service account (`email`, `email_verified`) and audience. The route's secrets
 * are the service account emails you accept. THE TOKEN DOES NOT SIGN THE BODY: it proves who sent the
 * request, within the token's hour, not what it carries; anyone holding a captured token can post
 * any envelope with it until it expires. So `signs.body` is false and only the token's `iat` is
 * signed. Replay id = the envelope's subscription + `message.messageId` (Pub/Sub redelivers with it).
 */
export function googlePubSub(
  options: GooglePubSubOptions = {},
): WebhookScheme<Buffer, GooglePubSubParsed, Promise<boolean>> {
  const name = options.name ?? 'google-pubsub';
  const leewayMs = options.leewayMs ?? 5 * 60_000;
  const audiences =
    options.audience === undefined
      ? undefined
      : typeof options.audience === 'string'
        ? [options.audience]
        : options.audience;
  const fetcher = () => options.keys ?? defaultKeyFetcher();

  return {
    name,
    signs: { id: false, timestamp: true, type: false, body: false },
    // The token's iat: Google's tokens live an hour (exp is checked too), plus the leeway.
    defaultToleranceMs: 60 * 60_000 + leewayMs,
    payloadFormat: 'json',

    parse(headers: WebhookHeaders, context: ParseContext): GooglePubSubParsed {
      const authorization = requireSignatureHeader(headers, 'authorization', context.limits, {
        display: 'Authorization',
      });
      const bearer = /^Bearer ([^\s]+)$/.exec(authorization);
      if (!bearer) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'Header Authorization is not "Bearer <token>".',
        );
      }
      const token = decodeRs256Jwt(bearer[1]!, 'Pub/Sub push token');
      const { claims } = token;
      if (typeof claims.iss !== 'string' || !ISSUERS.has(claims.iss)) {
        throw new WebhookVerificationError('signature_mismatch', 'The push token was not issued by Google.');
      }
      const { iat } = checkJwtTimes(claims, context.now ?? Date.now(), {
        leewayMs,
        maxLifetimeMs: MAX_LIFETIME_MS,
        what: 'Pub/Sub push token',
      });
      if (iat === undefined) {
        throw new WebhookVerificationError('malformed_signature', 'The Pub/Sub push token has no iat claim.');
      }
      const expected = audiences ?? [publicUrl(context)];
      if (typeof claims.aud !== 'string' || !expected.includes(claims.aud)) {
        throw new WebhookVerificationError(
          'signature_mismatch',
          "The push token's audience is not this endpoint's.",
        );
      }
      const envelope = jsonObject(context.rawBody);
      const message = envelope?.message;
      const messageId =
        typeof message === 'object' && message !== null
          ? (message as Record<string, unknown>).messageId
          : undefined;
      const subscription = envelope?.subscription;
      if (
        typeof messageId !== 'string' ||
        messageId === '' ||
        messageId.length > MAX_BODY_ID_LENGTH ||
        typeof subscription !== 'string' ||
        !SUBSCRIPTION.test(subscription)
      ) {
        throw new WebhookVerificationError(
          'malformed_header',
          'The body is not a Pub/Sub push envelope ({"message":{"messageId",…},"subscription":"projects/…"}).',
        );
      }
      return { signatures: [token.signature], id: messageId, timestamp: iat, token, subscription };
    },

    importKey(secret: string | Buffer): Buffer {
      const email = Buffer.isBuffer(secret) ? secret.toString('utf8') : secret;
      if (!EMAIL.test(email)) {
        throw new WebhookVerificationError(
          'invalid_secret',
          'A Pub/Sub push "secret" is the email of the service account the push subscription authenticates as.',
        );
      }
      return Buffer.from(email.toLowerCase());
    },

    verify(parsed: GooglePubSubParsed, _rawBody: Buffer, key: Buffer): Promise<boolean> {
      const { claims } = parsed.token;
      // The service account and its verification are read before anything is fetched.
      const email =
        typeof claims.email === 'string' ? Buffer.from(claims.email.toLowerCase()) : Buffer.alloc(0);
      if (!safeEqual(key, email) || claims.email_verified !== true) return Promise.resolve(false);
      return keyById(
        fetcher(),
        CERTS_URL,
        GOOGLE_OAUTH2_CERTS,
        parsePemCertificateMap,
        parsed.token.header.kid,
      ).then((publicKey) => publicKey !== undefined && verifyRs256(parsed.token, publicKey));
    },

    replayId: (parsed) => `pubsub:${parsed.subscription}\0${parsed.id}`,

    sign(): Record<string, string> {
      throw new Error(
        'Pub/Sub push tokens are signed by Google: build a request with signPubSubPush() from @verified-webhooks/core/testing.',
      );
    },
  };
}

function publicUrl(context: ParseContext): string {
  if (context.url === undefined || context.url === '') {
    throw new WebhookVerificationError(
      'missing_public_url',
      'The google-pubsub scheme checks the token audience against the public URL: configure publicBaseUrl, or googlePubSub({ audience }).',
    );
  }
  return context.url;
}
