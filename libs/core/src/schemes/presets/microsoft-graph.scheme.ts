import { hash } from 'node:crypto';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { safeEqual } from '../../internal/safe-compare.js';
import type { DecodedJwt } from '../../keys/jwt.js';
import { checkJwtTimes, decodeRs256Jwt, verifyRs256 } from '../../keys/jwt.js';
import { keyById } from '../../keys/key-by-id.js';
import type { KeyFetcher } from '../../keys/key-fetcher.js';
import { defaultKeyFetcher } from '../../keys/key-fetcher.js';
import { parseJwks } from '../../keys/key-sets.js';
import { MICROSOFT_IDENTITY_KEYS, MICROSOFT_IDENTITY_KEYS_URL } from '../../keys/key-url-policy.js';
import { jsonObject } from '../kit/json-fields.js';
import type {
  HandshakeReply,
  HandshakeRequest,
  ParseContext,
  ParsedWebhook,
  SignInput,
  VerifyResult,
  WebhookScheme,
} from '../webhook-scheme.interface.js';

export interface MicrosoftGraphOptions {
  /** Scheme name for logs and the default endpoint. Default `microsoft-graph`. */
  name?: string;
  /**
   * Your app's id(s): the audience of the `validationTokens` Graph adds to notifications with
   * resource data. Without it such a notification is refused (its tokens cannot be checked).
   */
  appId?: string | readonly string[];
  /**
   * Refuse notifications without `validationTokens`. Default: true when `appId` is set, so a forger
   * who knows the clientState cannot strip the tokens off a notification with resource data. Set it
   * false for a route that also receives basic notifications (clientState only).
   */
  requireValidationTokens?: boolean;
  /** The tenant(s) whose tokens you accept; default any tenant (the issuer must still be Microsoft's). */
  tenantId?: string | readonly string[];
  /** Where Microsoft's keys are fetched through; default one shared production fetcher. */
  keys?: KeyFetcher;
  /** Clock skew allowed on the tokens' `exp`/`nbf`. Default 5 minutes. */
  leewayMs?: number;
}

export interface MicrosoftGraphParsed extends ParsedWebhook {
  /** Every notification's clientState, in batch order. */
  readonly clientStates: readonly Buffer[];
  /** Decoded, cheaply checked `validationTokens` (rich notifications); empty for basic ones. */
  readonly tokens: readonly DecodedJwt[];
}

/** The app id of Microsoft Graph's change-notification publisher: the tokens' `azp` (Microsoft docs). */
export const GRAPH_CHANGE_NOTIFICATION_PUBLISHER = '0bf30f3b-4a52-48df-9a82-234910c4a086';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_NOTIFICATIONS = 1000;
const MAX_TOKENS = 16;
/** Graph caps clientState at 128 characters. */
const MAX_CLIENT_STATE = 128;
const MAX_VALIDATION_TOKEN = 4096;
const KEYS_URL = new URL(MICROSOFT_IDENTITY_KEYS_URL);
/** What a stored Graph body carries instead of each clientState (the route's secret). */
export const REDACTED_CLIENT_STATE = '[redacted]';
const CLIENT_STATE_MEMBER = /"clientState"\s*:\s*"(?:[^"\\]|\\.)*"/g;

/**
 * Microsoft Graph change notifications (docs/providers.md, "Microsoft Graph"). Graph signs no body:
 * each notification carries the `clientState` you set on the subscription, the route's secret,
 * compared in constant time for EVERY notification of the batch. Notifications with resource data
 * also carry `validationTokens`: JWTs from the Microsoft identity platform (RS256, keys fetched
 * from its JWKS), checked for `aud` = your app id, `azp` = Graph's publisher, a Microsoft issuer and
 * their lifetime. Neither signs the body (`signs.body` false); replays are keyed on its digest.
 *
 * Handshake: `?validationToken=…` (subscription creation) is answered 200 `text/plain` with the
 * token, `nosniff`, before anything else.
 */
export function microsoftGraph(
  options: MicrosoftGraphOptions = {},
): WebhookScheme<Buffer, MicrosoftGraphParsed, VerifyResult> {
  const name = options.name ?? 'microsoft-graph';
  const leewayMs = options.leewayMs ?? 5 * 60_000;
  const list = (value: string | readonly string[] | undefined) =>
    value === undefined ? undefined : typeof value === 'string' ? [value] : value;
  const appIds = list(options.appId);
  const tenants = list(options.tenantId)?.map((tenant) => tenant.toLowerCase());
  const fetcher = () => options.keys ?? defaultKeyFetcher();
  const requireTokens = options.requireValidationTokens ?? appIds !== undefined;

  const checkToken = (token: DecodedJwt, now: number) => {
    const { claims } = token;
    const refuse = (why: string) =>
      new WebhookVerificationError('signature_mismatch', `A Graph validation token ${why}.`);
    checkJwtTimes(claims, now, { leewayMs, maxLifetimeMs: 24 * 60 * 60_000, what: 'Graph validation token' });
    if (typeof claims.aud !== 'string' || !appIds!.includes(claims.aud))
      throw refuse("is not for this app's id");
    if (claims.azp !== GRAPH_CHANGE_NOTIFICATION_PUBLISHER) throw refuse('was not issued to Microsoft Graph');
    const tenant = issuerTenant(claims.iss);
    if (tenant === undefined || (tenants !== undefined && !tenants.includes(tenant))) {
      throw refuse('was not issued by the Microsoft identity platform for an accepted tenant');
    }
  };

  return {
    name,
    signs: { id: false, timestamp: false, type: false, body: false },
    defaultToleranceMs: undefined,
    payloadFormat: 'json',

    unsignedHandshake(request: HandshakeRequest): HandshakeReply | undefined {
      const token = request.query.validationToken;
      if (token === undefined) return undefined;
      if (token === '' || token.length > MAX_VALIDATION_TOKEN || !/^[\x20-\x7e]+$/.test(token))
        return undefined;
      return {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
        body: token,
      };
    },

    parse(_headers, context: ParseContext): MicrosoftGraphParsed {
      const body = jsonObject(context.rawBody);
      const value = body?.value;
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_NOTIFICATIONS) {
        throw new WebhookVerificationError(
          'malformed_header',
          'The body is not a Graph notification collection ({"value":[…]}).',
        );
      }
      const clientStates = value.map((notification: unknown) => {
        const state =
          typeof notification === 'object' && notification !== null
            ? (notification as Record<string, unknown>).clientState
            : undefined;
        if (typeof state !== 'string' || state === '') {
          throw new WebhookVerificationError(
            'missing_signature',
            'A Graph notification carries no clientState.',
          );
        }
        if (state.length > MAX_CLIENT_STATE) {
          throw new WebhookVerificationError(
            'malformed_signature',
            'A Graph clientState is longer than 128 characters.',
          );
        }
        return Buffer.from(state);
      });
      const distinct = [...new Map(clientStates.map((state) => [state.toString(), state])).values()];
      if (distinct.length > context.limits.maxSignatures) {
        throw new WebhookVerificationError(
          'too_many_signatures',
          'The batch carries too many different clientStates.',
        );
      }
      const raw = body!.validationTokens;
      if (raw !== undefined && (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_TOKENS)) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'The Graph validationTokens are not a short list.',
        );
      }
      const tokens = ((raw ?? []) as unknown[]).map((token) => {
        if (typeof token !== 'string') {
          throw new WebhookVerificationError(
            'malformed_signature',
            'A Graph validation token is not a string.',
          );
        }
        return decodeRs256Jwt(token, 'Graph validation token');
      });
      if (tokens.length === 0 && requireTokens) {
        throw new WebhookVerificationError(
          'missing_signature',
          'The notification carries no validationTokens, which this route requires (requireValidationTokens).',
        );
      }
      if (tokens.length > 0) {
        if (appIds === undefined) {
          throw new WebhookVerificationError(
            'signature_mismatch',
            'The notification carries validationTokens; configure microsoftGraph({ appId }) to verify them.',
          );
        }
        const now = context.now ?? Date.now();
        for (const token of tokens) checkToken(token, now);
      }
      return { signatures: distinct, clientStates, tokens };
    },

    importKey(secret: string | Buffer): Buffer {
      const state = Buffer.isBuffer(secret) ? secret : Buffer.from(secret);
      if (state.length === 0 || state.length > MAX_CLIENT_STATE) {
        throw new WebhookVerificationError('invalid_secret', 'A Graph clientState is 1 to 128 characters.');
      }
      return state;
    },

    verify(parsed: MicrosoftGraphParsed, _rawBody: Buffer, key: Buffer): VerifyResult {
      // Digests of equal length: the comparison does not tell a clientState's length.
      const expected = hash('sha256', key, 'buffer');
      let matched = true;
      for (const state of parsed.clientStates) {
        if (!safeEqual(expected, hash('sha256', state, 'buffer'))) matched = false;
      }
      // Only a matching clientState leads to a key fetch.
      if (!matched || parsed.tokens.length === 0) return matched;
      return Promise.all(
        parsed.tokens.map((token) =>
          keyById(fetcher(), KEYS_URL, MICROSOFT_IDENTITY_KEYS, parseJwks, token.header.kid).then(
            (publicKey) => publicKey !== undefined && verifyRs256(token, publicKey),
          ),
        ),
      ).then((verdicts) => verdicts.every(Boolean));
    },

    /**
     * The clientState is the secret: a stored body carries the marker instead. Replaced in the raw
     * text so the other bytes stay as sent; a body that still parses to another clientState (an
     * escaped member name) is written anew from its parsed form (fail closed).
     */
    storedBody(rawBody: Buffer): Buffer {
      return redactClientStates(rawBody);
    },

    /** Graph's sender sets no header; the clientState is in the body you send, and must be the secret. */
    sign(input: SignInput): Record<string, string> {
      const body = jsonObject(Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body));
      const secret = Buffer.isBuffer(input.secret) ? input.secret.toString() : input.secret;
      const value = body?.value;
      const states = Array.isArray(value)
        ? value.map((item) => (item as { clientState?: unknown })?.clientState)
        : [];
      if (states.length === 0 || !states.every((state) => state === secret)) {
        throw new Error(
          'A Microsoft Graph body carries its own clientState: send {"value":[{…,"clientState":"<the secret>"}]}.',
        );
      }
      return { 'content-type': 'application/json' };
    },
  };
}

function redactClientStates(rawBody: Buffer): Buffer {
  const marker = `"clientState":${JSON.stringify(REDACTED_CLIENT_STATE)}`;
  const replaced = Buffer.from(rawBody.toString('utf8').replace(CLIENT_STATE_MEMBER, marker), 'utf8');
  const notifications = (body: Buffer) => {
    const value = jsonObject(body)?.value;
    return Array.isArray(value) ? (value as unknown[]) : undefined;
  };
  const isRedacted = (item: unknown) =>
    typeof item !== 'object' ||
    item === null ||
    !('clientState' in item) ||
    (item as Record<string, unknown>).clientState === REDACTED_CLIENT_STATE;
  if (notifications(replaced)?.every(isRedacted)) return replaced;
  const body = jsonObject(rawBody);
  if (!Array.isArray(body?.value)) return replaced;
  const value = (body.value as unknown[]).map((item) =>
    typeof item === 'object' && item !== null && 'clientState' in item
      ? { ...item, clientState: REDACTED_CLIENT_STATE }
      : item,
  );
  return Buffer.from(JSON.stringify({ ...body, value }), 'utf8');
}

/** The tenant of a Microsoft identity platform issuer (v1 `sts.windows.net/<tid>/`, v2 `login.microsoftonline.com/<tid>/v2.0`). */
function issuerTenant(iss: unknown): string | undefined {
  if (typeof iss !== 'string') return undefined;
  const match =
    /^https:\/\/sts\.windows\.net\/([^/]+)\/$/.exec(iss) ??
    /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/.exec(iss);
  return match && GUID.test(match[1]!) ? match[1]!.toLowerCase() : undefined;
}
