import { hash } from 'node:crypto';
import { generateSecret } from '../secrets/generate-secret.js';
import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import { isPromiseLike } from '../internal/promise-like.js';
import type { WebhookHeaders } from '../internal/headers.js';
import { replayKey, signedContentReplayId } from '../replay/replay-key.js';
import type { ClaimResult, ReplayStore } from '../replay/replay-store.interface.js';
import type {
  AnyWebhookScheme,
  HandshakeReply,
  HandshakeRequest,
  ParsedWebhook,
} from '../schemes/webhook-scheme.interface.js';
import type { Secret } from '../secrets/secret.js';
import { isTenantSecrets, toSecretList } from '../secrets/secret.js';
import type { ResolverAnswer, SecretResolver } from '../secrets/secret-resolver.interface.js';
import type { SecretSource } from '../secrets/secret-resolvers.js';
import { toSecretResolver } from '../secrets/secret-resolvers.js';
import type { ReplayClaim } from './replay-claim.js';
import { holdClaim } from './replay-claim.js';
import { VerifiedDelivery } from './verified-delivery.js';
import type { VerifiedWebhookEvent } from './verified-webhook-event.interface.js';
import type { VerificationOptions } from './webhook-options.js';
import { assertWebhookOptions, WEBHOOK_DEFAULTS } from './webhook-options.js';

export interface WebhookVerifierOptions extends VerificationOptions {
  readonly scheme: AnyWebhookScheme;
  readonly secrets: SecretSource;
  /** Endpoint name for the resolver and the replay namespace. Default: the scheme's name. */
  readonly endpoint?: string;
  /** Where deliveries are remembered; `false` turns replay protection off (not advised). */
  readonly replayStore: ReplayStore | false;
  /** Told about a fail-open pass, a lost lease or a late store failure; never given a secret. */
  readonly onWarning?: (message: string, error?: unknown) => void;
}

/** One delivery as any adapter hands it over (`WebhookHttpReceiver.webhookRequest` builds it from HTTP). */
export interface WebhookRequest {
  readonly headers: WebhookHeaders;
  readonly rawBody: Buffer;
  /** Route parameters, e.g. `{ tenant: 'acme' }`. */
  readonly params?: Readonly<Record<string, string>>;
  /** The tenant this delivery is for; namespaces secrets and replay keys. */
  readonly tenant?: string | undefined;
  /** HTTP method; handshakes (Dropbox GET, Trello HEAD) depend on it. Default POST. */
  readonly method?: string;
  /** The public URL the sender posted to, for schemes that sign it (Twilio). */
  readonly url?: string | undefined;
  /** Query parameters, for handshakes that use them. */
  readonly query?: Readonly<Record<string, string | undefined>>;
}

/** Steps 2–6 passed: the verified delivery, and what its replay claim will need. */
export interface VerifiedDeliveryResult {
  readonly kind: 'verified';
  readonly event: VerifiedWebhookEvent;
  /** The replay key and how long a done record lives; undefined when replay protection is off. */
  readonly replay: { readonly key: string; readonly ttlMs: number } | undefined;
}

/** A provider challenge answered by the scheme: send `reply`, run no handler. */
export interface HandshakeResult {
  readonly kind: 'handshake';
  readonly reply: HandshakeReply;
}

export type Verification = VerifiedDeliveryResult | HandshakeResult;

/** Step 7: a new delivery (holding its claim unless replay protection is off), or a duplicate. */
export type ClaimOutcome =
  { readonly kind: 'new'; readonly claim: ReplayClaim | undefined } | { readonly kind: 'duplicate' };

/** `receive()`: verified and claimed in one call. */
export type VerificationOutcome =
  | { readonly kind: 'new'; readonly event: VerifiedWebhookEvent; readonly claim: ReplayClaim | undefined }
  | { readonly kind: 'duplicate'; readonly event: VerifiedWebhookEvent }
  | HandshakeResult;

const MAX_CACHED_KEYS = 1_000;

/**
 * The framework-free pipeline (docs/architecture.md, "One request's path"): `verify` parses,
 * checks freshness, resolves secrets and checks the signature; `claim` takes the replay claim.
 * Adapters call them apart (the Nest guard verifies, its interceptor claims); `receive` does both.
 * Create one per route and reuse it: imported keys are cached.
 */
export class WebhookVerifier {
  readonly scheme: AnyWebhookScheme;
  readonly endpoint: string;
  readonly toleranceMs: number | undefined;
  private readonly resolver: SecretResolver;
  private readonly clock: () => number;
  private readonly limits: { maxHeaderLength: number; maxSignatures: number };
  private readonly keys = new Map<string | Buffer, unknown>();
  private readonly warn: (message: string, error?: unknown) => void;
  /** A key no sender holds, checked for unknown endpoints so they cost what a wrong signature does. */
  private decoyKey: unknown;

  constructor(private readonly options: WebhookVerifierOptions) {
    assertWebhookOptions(options);
    this.scheme = options.scheme;
    this.endpoint = options.endpoint ?? options.scheme.name;
    this.toleranceMs = options.toleranceMs ?? options.scheme.defaultToleranceMs;
    this.resolver = toSecretResolver(options.secrets);
    this.clock = options.clock ?? Date.now;
    this.limits = {
      maxHeaderLength: options.maxHeaderLength ?? WEBHOOK_DEFAULTS.maxHeaderLength,
      maxSignatures: options.maxSignatures ?? WEBHOOK_DEFAULTS.maxSignatures,
    };
    this.warn = options.onWarning ?? (() => undefined);
  }

  /** Steps 3–6; rejects with WebhookVerificationError when the delivery must be refused. */
  async verify(request: WebhookRequest): Promise<Verification> {
    const handshake = await this.scheme.unsignedHandshake?.(this.handshakeRequest(request));
    if (handshake) return { kind: 'handshake', reply: handshake };

    const now = this.clock();
    const parsed: ParsedWebhook = this.scheme.parse(request.headers, {
      limits: this.limits,
      rawBody: request.rawBody,
      url: request.url,
      method: request.method,
      now,
    });
    this.checkFreshness(parsed, now);
    const { secrets, tenant, replayTenant } = await this.resolveSecrets(parsed, request);
    if (secrets.length === 0) {
      await this.verifyDecoy(parsed, request.rawBody);
      throw new WebhookVerificationError(
        'unknown_endpoint',
        `No secret is configured for endpoint ${this.endpoint}${tenant === undefined ? '' : ` and this tenant`}.`,
      );
    }
    const keys = secrets.map((secret) => this.importKey(secret));
    let matched = this.matchesAny(parsed, request.rawBody, keys);
    // Schemes with configured keys answer a boolean: no await on their path.
    if (typeof matched !== 'boolean') matched = await matched;
    if (!matched) {
      throw new WebhookVerificationError(
        'signature_mismatch',
        'No signature matches the configured secret(s).',
      );
    }
    let signedHandshake = this.scheme.signedHandshake?.(this.handshakeRequest(request), parsed, keys);
    if (isPromiseLike(signedHandshake)) signedHandshake = await signedHandshake;
    if (signedHandshake) return { kind: 'handshake', reply: signedHandshake };

    const replayId =
      this.scheme.replayId?.(parsed, request.rawBody) ??
      defaultReplayId(this.scheme, parsed, request.rawBody);
    const key = replayKey({
      prefix: this.options.keyPrefix,
      endpoint: this.endpoint,
      tenant: replayTenant,
      replayId,
    });
    const contentType = request.headers['content-type'];
    const event = new VerifiedDelivery({
      scheme: this.scheme,
      parsed,
      rawBody: request.rawBody,
      endpoint: this.endpoint,
      tenant,
      contentType: typeof contentType === 'string' ? contentType : undefined,
      deliveryKey: key,
    });
    if (this.options.replayStore === false) return { kind: 'verified', event, replay: undefined };
    return { kind: 'verified', event, replay: { key, ttlMs: this.replayTtl(parsed, now) } };
  }

  /**
   * Step 7: claims a verified delivery in the replay store. Rejects with `replay_in_flight` (409)
   * while another request holds it, `replay_store_unavailable` (503) when the store cannot answer.
   */
  async claim(verified: VerifiedDeliveryResult): Promise<ClaimOutcome> {
    const store = this.options.replayStore;
    if (!verified.replay || store === false) return { kind: 'new', claim: undefined };
    const { key, ttlMs } = verified.replay;
    const leaseMs = this.options.leaseMs ?? WEBHOOK_DEFAULTS.leaseMs;
    let result: ClaimResult | undefined;
    try {
      result = await store.claim(key, leaseMs);
    } catch (error) {
      return this.storeUnavailable(error);
    }
    // Whatever a store answers besides the three states fails closed.
    switch (result?.state) {
      case 'claimed':
        return {
          kind: 'new',
          claim: holdClaim({
            store,
            key,
            token: result.token,
            leaseMs,
            ttlMs,
            maxHoldMs: this.options.maxHoldMs ?? WEBHOOK_DEFAULTS.maxHoldMs,
            onWarning: this.warn,
          }),
        };
      case 'done':
        return { kind: 'duplicate' };
      case 'in_flight':
        throw new WebhookVerificationError('replay_in_flight', 'This delivery is being processed.', {
          retryAfterMs: result.retryAfterMs,
        });
      default:
        return this.storeUnavailable(new Error('The replay store answered a claim with no known state.'));
    }
  }

  /** `verify` then `claim`, for adapters that need no step between them (Express, Lambda). */
  async receive(request: WebhookRequest): Promise<VerificationOutcome> {
    const verification = await this.verify(request);
    if (verification.kind === 'handshake') return verification;
    const claimed = await this.claim(verification);
    return claimed.kind === 'duplicate'
      ? { kind: 'duplicate', event: verification.event }
      : { kind: 'new', event: verification.event, claim: claimed.claim };
  }

  /** Imports (and validates) a secret once; resolvers may return the same strings on every call. */
  importKey(secret: Secret): unknown {
    const cached = this.keys.get(secret.value);
    if (cached !== undefined) return cached;
    const key = this.scheme.importKey(secret.value);
    // Whatever a scheme accepts, an empty key lets anyone sign: fail closed.
    if (Buffer.isBuffer(key) && key.length === 0) {
      throw new WebhookVerificationError('invalid_secret', `The ${this.scheme.name} secret is empty.`);
    }
    if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
    this.keys.set(secret.value, key);
    return key;
  }

  private checkFreshness(parsed: ParsedWebhook, now: number): void {
    const tolerance = this.toleranceMs;
    if (parsed.timestamp === undefined || tolerance === undefined || tolerance <= 0) return;
    if (now - parsed.timestamp > tolerance) {
      throw new WebhookVerificationError(
        'timestamp_expired',
        'The timestamp is older than the tolerance allows.',
      );
    }
    if (parsed.timestamp - now > tolerance) {
      throw new WebhookVerificationError(
        'timestamp_in_future',
        'The timestamp is further in the future than the tolerance allows.',
      );
    }
  }

  /**
   * The resolver's secrets and the tenant it names (its canonical name, else the route's). Replays
   * are keyed on the named tenant; a resolver that names none on a tenant route is keyed on the
   * secrets it answered instead of the raw route parameter, so `ACME` and `acme` (a loose lookup, or
   * one secret for every tenant) cannot each replay a delivery as new.
   */
  private async resolveSecrets(
    parsed: ParsedWebhook,
    request: WebhookRequest,
  ): Promise<{ secrets: readonly Secret[]; tenant: string | undefined; replayTenant: string | undefined }> {
    let answer: ResolverAnswer;
    let secrets: readonly Secret[];
    try {
      answer = await this.resolver.resolve({
        endpoint: this.endpoint,
        scheme: this.scheme.name,
        eventType: parsed.type,
        tenant: request.tenant,
        params: request.params ?? {},
        headers: request.headers,
      });
      secrets = toSecretList(isTenantSecrets(answer) ? answer.secrets : answer);
    } catch (error) {
      throw new WebhookVerificationError('secret_resolver_failed', 'The secret resolver failed.', {
        cause: error,
      });
    }
    if (isTenantSecrets(answer))
      return { secrets, tenant: answer.tenant, replayTenant: `tenant:${answer.tenant}` };
    const replayTenant =
      request.tenant === undefined ? undefined : `secrets:${secretSetFingerprint(secrets)}`;
    return { secrets, tenant: request.tenant, replayTenant };
  }

  /**
   * Tries every key (rotation) without stopping at the first match. Synchronous while every answer
   * is a boolean; a scheme that fetches keys answers promises, all awaited (none left unobserved).
   */
  private matchesAny(parsed: ParsedWebhook, rawBody: Buffer, keys: unknown[]): boolean | Promise<boolean> {
    let matched = false;
    let pending: PromiseLike<boolean>[] | undefined;
    for (const key of keys) {
      const verdict = this.scheme.verify(parsed, rawBody, key);
      if (typeof verdict === 'boolean') matched ||= verdict;
      else (pending ??= []).push(verdict);
    }
    if (pending === undefined) return matched;
    return Promise.all(pending).then((verdicts) => matched || verdicts.includes(true));
  }

  /**
   * An unknown endpoint or tenant is answered like a wrong signature; checking one against a key no
   * sender holds makes it cost the same, so timing does not tell which tenants exist. Schemes whose
   * keys cannot be generated here (public keys) skip it.
   */
  private async verifyDecoy(parsed: ParsedWebhook, rawBody: Buffer): Promise<void> {
    if (this.decoyKey === undefined) {
      try {
        this.decoyKey = this.scheme.importKey(generateSecret(this.scheme.name));
      } catch {
        this.decoyKey = null;
      }
    }
    if (this.decoyKey === null) return;
    const verdict = this.scheme.verify(parsed, rawBody, this.decoyKey);
    if (typeof verdict !== 'boolean') await verdict.catch(() => false);
  }

  private handshakeRequest(request: WebhookRequest): HandshakeRequest {
    return {
      method: request.method ?? 'POST',
      headers: request.headers,
      rawBody: request.rawBody,
      url: request.url,
      query: request.query ?? {},
    };
  }

  private storeUnavailable(error: unknown): ClaimOutcome {
    if (!this.options.failOpen) {
      throw new WebhookVerificationError('replay_store_unavailable', 'The replay store is unreachable.', {
        cause: error,
      });
    }
    this.warn('Replay store unreachable; processing without replay protection (failOpen).', error);
    return { kind: 'new', claim: undefined };
  }

  /** Remember a delivery at least until its timestamp leaves the acceptance window. */
  private replayTtl(parsed: ParsedWebhook, now: number): number {
    const window = this.options.replayWindowMs ?? WEBHOOK_DEFAULTS.replayWindowMs;
    const tolerance = this.toleranceMs;
    if (parsed.timestamp === undefined || tolerance === undefined || tolerance <= 0) return window;
    return Math.max(window, parsed.timestamp + tolerance - now + 1_000);
  }
}

/** A digest of a set of secrets, in any order: it stands for "whoever holds these" in a replay key. */
function secretSetFingerprint(secrets: readonly Secret[]): string {
  const digests = secrets.map((secret) => hash('sha256', secret.value, 'base64url')).sort();
  return hash('sha256', digests.join(','), 'base64url');
}

/** The replay identity when a scheme does not name one: the signed id, else a digest of the body. */
function defaultReplayId(scheme: AnyWebhookScheme, parsed: ParsedWebhook, rawBody: Buffer): string {
  if (scheme.signs.id && parsed.id !== undefined) return `id:${parsed.id}`;
  return signedContentReplayId(rawBody);
}

/** One-off verification and claim (a Lambda, a plain Node handler). Reuse a WebhookVerifier on hot paths. */
export function verifyWebhook(
  request: WebhookRequest,
  options: WebhookVerifierOptions,
): Promise<VerificationOutcome> {
  return new WebhookVerifier(options).receive(request);
}
