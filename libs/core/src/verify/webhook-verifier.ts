import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../internal/headers.js';
import { DEFAULT_MAX_HEADER_LENGTH } from '../internal/headers.js';
import { replayKey, signedContentReplayId } from '../replay/replay-key.js';
import type { ClaimResult, ReplayStore } from '../replay/replay-store.interface.js';
import { ReplayStoreUnavailableError } from '../replay/replay-store.interface.js';
import { isPromiseLike } from '../internal/promise-like.js';
import type {
  AnyWebhookScheme,
  HandshakeReply,
  HandshakeRequest,
  ParsedWebhook,
  SignedFields,
} from '../schemes/webhook-scheme.interface.js';
import type { Secret } from '../secrets/secret.js';
import type { ResolvedSecrets } from '../secrets/secret.js';
import { toSecretList } from '../secrets/secret.js';
import type { SecretContext, SecretResolver } from '../secrets/secret-resolver.interface.js';
import type { SecretSource } from '../secrets/secret-resolvers.js';
import { toSecretResolver } from '../secrets/secret-resolvers.js';
import type { PayloadFormat } from './payload.js';
import { parsePayload, payloadFormat } from './payload.js';
import type { VerifiedWebhook } from './verified-webhook.interface.js';

export const DEFAULT_REPLAY_WINDOW_MS = 5 * 60_000;
export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_MAX_SIGNATURES = 16;

export interface ReplayOptions {
  readonly store: ReplayStore;
  /** How long a processed delivery is remembered at least. Default 5 minutes. */
  readonly windowMs?: number;
  /** How long a claim holds while the handler runs; after a crash the retry waits this long. Default 60 s. */
  readonly leaseMs?: number;
  /** Key prefix, one per application sharing a Redis. Default `vw:`. */
  readonly keyPrefix?: string;
  /**
   * Explicit, logged fail-open: when the store is unreachable, process the delivery without replay
   * protection instead of answering 503. Off by default (DESIGN §4.8).
   */
  readonly failOpen?: boolean;
}

export interface WebhookVerifierOptions {
  readonly scheme: AnyWebhookScheme;
  readonly secrets: SecretSource;
  /** Endpoint name for the resolver and the replay namespace. Default: the scheme's name. */
  readonly endpoint?: string;
  /** Freshness window in ms; default the scheme's. 0 turns the check off (not advised). */
  readonly toleranceMs?: number;
  /** Replay protection; `false` turns it off (not advised). */
  readonly replay: ReplayOptions | false;
  /** Injectable clock (ms since epoch), for tests. */
  readonly clock?: () => number;
  readonly maxHeaderLength?: number;
  readonly maxSignatures?: number;
  /** Told about a fail-open pass or a late store failure; never given a secret. */
  readonly onWarning?: (message: string, error?: unknown) => void;
}

export interface WebhookRequest {
  readonly headers: WebhookHeaders;
  readonly rawBody: Buffer;
  /** Route parameters, e.g. `{ tenant: 'acme' }`. */
  readonly params?: Readonly<Record<string, string>>;
  /** The tenant this delivery is for; namespaces secrets and replay keys. */
  readonly tenant?: string | undefined;
  /** Overrides the verifier's endpoint for this request. */
  readonly endpoint?: string;
  /** HTTP method; handshakes (Dropbox GET, Trello HEAD) depend on it. Default POST. */
  readonly method?: string;
  /** The public URL the sender posted to, for schemes that sign it (Twilio). */
  readonly url?: string | undefined;
  /** Query parameters, for handshakes that use them. */
  readonly query?: Readonly<Record<string, string | undefined>>;
}

/** The outcome of `verify`: a new delivery to process, or a duplicate of one already processed. */
export type VerificationOutcome =
  | {
      readonly kind: 'new';
      readonly duplicate: false;
      readonly event: VerifiedWebhook;
      readonly claim: ReplayClaim | undefined;
    }
  | {
      readonly kind: 'duplicate';
      readonly duplicate: true;
      readonly event: VerifiedWebhook;
      readonly claim: undefined;
    }
  /** A provider challenge answered by the scheme: send `reply`, run no handler. */
  | { readonly kind: 'handshake'; readonly reply: HandshakeReply };

/** A held replay claim: settle it once the handler has run. */
export interface ReplayClaim {
  readonly key: string;
  /** The delivery was processed: answer its duplicates 2xx from now on. */
  complete(): Promise<void>;
  /** The handler failed: let the sender's retry be processed. */
  release(): Promise<void>;
}

const MAX_CACHED_KEYS = 1_000;

/**
 * The framework-free pipeline (DESIGN §2, steps 3–7): parse, freshness, secrets, signature, replay
 * claim. Create one per route and reuse it: imported keys are cached.
 */
export class WebhookVerifier {
  readonly scheme: AnyWebhookScheme;
  readonly endpoint: string;
  readonly toleranceMs: number | undefined;
  private readonly resolver: SecretResolver;
  private readonly clock: () => number;
  private readonly limits: { maxHeaderLength: number; maxSignatures: number };
  private readonly keys = new Map<string | Buffer, unknown>();

  constructor(private readonly options: WebhookVerifierOptions) {
    assertOptions(options);
    this.scheme = options.scheme;
    this.endpoint = options.endpoint ?? options.scheme.name;
    this.toleranceMs = options.toleranceMs ?? options.scheme.defaultToleranceMs;
    this.resolver = toSecretResolver(options.secrets);
    this.clock = options.clock ?? Date.now;
    this.limits = {
      maxHeaderLength: options.maxHeaderLength ?? DEFAULT_MAX_HEADER_LENGTH,
      maxSignatures: options.maxSignatures ?? DEFAULT_MAX_SIGNATURES,
    };
  }

  /**
   * Verifies a delivery and claims it; rejects with WebhookVerificationError when it must be refused
   * (async, so a refusal verifyNow throws becomes the rejection).
   */
  async verify(request: WebhookRequest): Promise<VerificationOutcome> {
    return this.verifyNow(request);
  }

  /**
   * `verify`, answered at once when nothing on the way waits (a synchronous secret resolver, replay
   * protection off, no asynchronous handshake): the NestJS guard then lets a delivery through
   * without a promise. Throws the WebhookVerificationError it would reject with otherwise.
   */
  verifyNow(request: WebhookRequest): VerificationOutcome | Promise<VerificationOutcome> {
    if (this.scheme.unsignedHandshake) {
      const handshake = this.scheme.unsignedHandshake(this.handshakeRequest(request));
      if (isPromiseLike(handshake)) return this.verifyAfterHandshake(handshake, request);
      if (handshake) return { kind: 'handshake', reply: handshake };
    }
    return this.verifySignature(request);
  }

  private async verifyAfterHandshake(
    answering: PromiseLike<HandshakeReply | undefined>,
    request: WebhookRequest,
  ): Promise<VerificationOutcome> {
    const reply = await answering;
    return reply ? { kind: 'handshake', reply } : this.verifySignature(request);
  }

  /** Steps 3–5: headers, freshness, secrets; then the signature and the claim. */
  private verifySignature(request: WebhookRequest): VerificationOutcome | Promise<VerificationOutcome> {
    const parsed: ParsedWebhook = this.scheme.parse(request.headers, {
      limits: this.limits,
      rawBody: request.rawBody,
      url: request.url,
      method: request.method,
    });
    const now = this.clock();
    this.checkFreshness(parsed, now);
    const endpoint = request.endpoint ?? this.endpoint;
    const secrets = this.resolveSecrets(parsed, request, endpoint);
    if (isPromiseLike(secrets)) return this.verifyWithResolved(secrets, parsed, request, endpoint, now);
    return this.verifyWith(secrets, parsed, request, endpoint, now);
  }

  private async verifyWithResolved(
    resolving: PromiseLike<readonly Secret[]>,
    parsed: ParsedWebhook,
    request: WebhookRequest,
    endpoint: string,
    now: number,
  ): Promise<VerificationOutcome> {
    return this.verifyWith(await resolving, parsed, request, endpoint, now);
  }

  /** Steps 6–7: any secret × any signature, then the replay claim. */
  private verifyWith(
    secrets: readonly Secret[],
    parsed: ParsedWebhook,
    request: WebhookRequest,
    endpoint: string,
    now: number,
  ): VerificationOutcome | Promise<VerificationOutcome> {
    const keys = secrets.map((secret) => this.importKey(secret));
    if (!this.matchesAny(parsed, request.rawBody, keys)) {
      throw new WebhookVerificationError(
        'signature_mismatch',
        'No signature matches the configured secret(s).',
      );
    }
    const signedHandshake = this.scheme.signedHandshake?.(this.handshakeRequest(request), parsed, keys);
    if (signedHandshake) return { kind: 'handshake', reply: signedHandshake };
    const event = this.toEvent(parsed, request, endpoint);
    const replay = this.options.replay;
    if (!replay) return { kind: 'new', duplicate: false, event, claim: undefined };

    const replayId =
      this.scheme.replayId?.(parsed, request.rawBody) ??
      defaultReplayId(this.scheme, parsed, request.rawBody);
    const key = replayKey({ prefix: replay.keyPrefix, endpoint, tenant: request.tenant, replayId });
    const ttlMs = this.replayTtl(replay, parsed, now);
    const store = replay.store;
    const leaseMs = replay.leaseMs ?? DEFAULT_LEASE_MS;
    let answer: ClaimResult | Promise<ClaimResult>;
    try {
      answer = store.claim(key, leaseMs);
    } catch (error) {
      return this.storeUnavailable(replay, event, error);
    }
    if (isPromiseLike(answer)) return this.awaitClaim(answer, replay, event, key, ttlMs);
    return this.claimed(answer, replay, event, key, ttlMs);
  }

  // await rather than then(): V8 awaits a native promise without the two closures and the extra
  // promise a then() call allocates, on every delivery through an asynchronous store (Redis).
  private async awaitClaim(
    answer: PromiseLike<ClaimResult>,
    replay: ReplayOptions,
    event: VerifiedWebhook,
    key: string,
    ttlMs: number,
  ): Promise<VerificationOutcome> {
    let result: ClaimResult;
    try {
      result = await answer;
    } catch (error) {
      return this.storeUnavailable(replay, event, error);
    }
    return this.claimed(result, replay, event, key, ttlMs);
  }

  /** The store's answer as the outcome: a new delivery holding the claim, a duplicate, or 409. */
  private claimed(
    // `undefined` too: whatever a store answers besides the three states fails closed.
    result: ClaimResult | undefined,
    replay: ReplayOptions,
    event: VerifiedWebhook,
    key: string,
    ttlMs: number,
  ): VerificationOutcome {
    switch (result?.state) {
      case 'claimed':
        return {
          kind: 'new',
          duplicate: false,
          event,
          claim: heldClaim(replay.store, key, ttlMs, result.token),
        };
      case 'done':
        return { kind: 'duplicate', duplicate: true, event, claim: undefined };
      case 'in_flight':
        throw new WebhookVerificationError('replay_in_flight', 'This delivery is being processed.', {
          retryAfterMs: result.retryAfterMs,
        });
      default:
        return this.storeUnavailable(
          replay,
          event,
          new ReplayStoreUnavailableError('The replay store answered a claim with no known state.'),
        );
    }
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

  private resolveSecrets(
    parsed: ParsedWebhook,
    request: WebhookRequest,
    endpoint: string,
  ): readonly Secret[] | Promise<readonly Secret[]> {
    const context: SecretContext = {
      endpoint,
      scheme: this.scheme.name,
      eventType: parsed.type,
      tenant: request.tenant,
      params: request.params ?? {},
      headers: request.headers,
    };
    let resolved;
    try {
      resolved = this.resolver.resolve(context);
    } catch (error) {
      throw resolverFailed(error);
    }
    if (isPromiseLike(resolved)) return secretsWhenResolved(resolved, endpoint);
    return secretsFor(resolved, endpoint);
  }

  /** Tries every key (rotation) without stopping at the first match. */
  private matchesAny(parsed: ParsedWebhook, rawBody: Buffer, keys: unknown[]): boolean {
    let matched = false;
    for (const key of keys) {
      if (this.scheme.verify(parsed, rawBody, key)) matched = true;
    }
    return matched;
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

  private toEvent(parsed: ParsedWebhook, request: WebhookRequest, endpoint: string): VerifiedWebhook {
    return new VerifiedDelivery(this.scheme, parsed, request, endpoint);
  }

  private storeUnavailable(
    replay: ReplayOptions,
    event: VerifiedWebhook,
    error: unknown,
  ): VerificationOutcome {
    if (!replay.failOpen) {
      throw new WebhookVerificationError('replay_store_unavailable', 'The replay store is unreachable.', {
        cause: error,
      });
    }
    this.options.onWarning?.(
      'Replay store unreachable; processing without replay protection (failOpen).',
      error,
    );
    return { kind: 'new', duplicate: false, event, claim: undefined };
  }

  /** DESIGN §4.4: remember a delivery at least until its timestamp leaves the acceptance window. */
  private replayTtl(replay: ReplayOptions, parsed: ParsedWebhook, now: number): number {
    const window = replay.windowMs ?? DEFAULT_REPLAY_WINDOW_MS;
    const tolerance = this.toleranceMs;
    if (parsed.timestamp === undefined || tolerance === undefined || tolerance <= 0) return window;
    return Math.max(window, parsed.timestamp + tolerance - now + 1_000);
  }
}

/**
 * Refuses at construction what would quietly turn a check off: `replayWindowMs: Number(env.X)` with X
 * unset is NaN, and a NaN or non-positive window or lease let every replay through the memory store.
 */
function assertOptions(options: WebhookVerifierOptions): void {
  const check = (name: string, value: number | undefined, ok: (value: number) => boolean, what: string) => {
    if (value !== undefined && !ok(value)) {
      throw new RangeError(`verified-webhooks: ${name} must be ${what}, got ${String(value)}`);
    }
  };
  const positive = (value: number) => Number.isFinite(value) && value > 0;
  const count = (value: number) => Number.isSafeInteger(value) && value > 0;
  check('toleranceMs', options.toleranceMs, (value) => Number.isFinite(value) && value >= 0, 'a number >= 0');
  check('maxHeaderLength', options.maxHeaderLength, count, 'a whole number >= 1');
  check('maxSignatures', options.maxSignatures, count, 'a whole number >= 1');
  if (options.replay) {
    check('replay windowMs', options.replay.windowMs, positive, 'a number > 0');
    check('replay leaseMs', options.replay.leaseMs, positive, 'a number > 0');
  }
}

const resolverFailed = (error: unknown) =>
  new WebhookVerificationError('secret_resolver_failed', 'The secret resolver failed.', { cause: error });

/** The resolver's answer as a list; none at all is an unknown endpoint (fail closed). */
function secretsFor(resolved: ResolvedSecrets, endpoint: string): readonly Secret[] {
  let secrets: readonly Secret[];
  try {
    secrets = toSecretList(resolved);
  } catch (error) {
    throw resolverFailed(error);
  }
  if (secrets.length === 0) {
    throw new WebhookVerificationError(
      'unknown_endpoint',
      `No secret is configured for endpoint ${endpoint}.`,
    );
  }
  return secrets;
}

/** The resolver's promise, its failure as a 503. */
async function secretsWhenResolved(
  resolving: PromiseLike<ResolvedSecrets>,
  endpoint: string,
): Promise<readonly Secret[]> {
  let resolved: ResolvedSecrets;
  try {
    resolved = await resolving;
  } catch (error) {
    throw resolverFailed(error);
  }
  return secretsFor(resolved, endpoint);
}

/** A held claim, settled once the handler has run. Closures: callers may pass its methods on detached. */
function heldClaim(store: ReplayStore, key: string, ttlMs: number, token: string): ReplayClaim {
  return {
    key,
    complete: () => withRetries(async () => void (await store.complete(key, token, ttlMs))),
    release: () => withRetries(() => store.release(key, token)),
  };
}

const RETRY_DELAYS_MS = [50, 250, 1_000];

/**
 * Settling a claim is retried briefly: a `complete` lost to a blip would leave the delivery in flight
 * until the lease ends, and a retry after that would be processed twice.
 */
async function withRetries(operation: () => Promise<void>): Promise<void> {
  for (const delay of RETRY_DELAYS_MS) {
    try {
      return await operation();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return operation();
}

/**
 * The verified delivery handed to the handler. A class, so its lazy fields (the id and type from the
 * body, the parsed payload) cost nothing until read.
 */
class VerifiedDelivery implements VerifiedWebhook {
  readonly scheme: string;
  readonly tenant: string | undefined;
  readonly rawBody: Buffer;
  // #private: kept out of util.inspect and JSON, so logging an event never shows its signature header.
  readonly #source: AnyWebhookScheme;
  readonly #parsed: ParsedWebhook;
  readonly #contentType: string | undefined;
  #format: PayloadFormat | undefined;
  #payload: { value: unknown } | undefined;

  constructor(
    source: AnyWebhookScheme,
    parsed: ParsedWebhook,
    request: WebhookRequest,
    readonly endpoint: string,
  ) {
    this.scheme = source.name;
    this.tenant = request.tenant;
    this.rawBody = request.rawBody;
    this.#source = source;
    this.#parsed = parsed;
    const contentType = request.headers['content-type'];
    this.#contentType = typeof contentType === 'string' ? contentType : undefined;
  }

  /** Headers first; else the verified body, for schemes that keep the id there. */
  get id(): string | undefined {
    return this.#parsed.id ?? this.#source.eventId?.(this.#parsed, this.rawBody);
  }

  /**
   * Headers first; else the verified body's `type` (Standard Webhooks, Stripe put it there), from a
   * JSON body only: read as a form (the content type is not signed), JSON bytes could yield any field.
   */
  get type(): string | undefined {
    if (this.#parsed.type !== undefined) return this.#parsed.type;
    return this.#bodyFormat() === 'json' ? typeFromPayload(this.payload) : undefined;
  }

  get timestamp(): Date | undefined {
    return this.#parsed.timestamp === undefined ? undefined : new Date(this.#parsed.timestamp);
  }

  /** From a header, as the scheme's `signs` says; from the body, when the scheme signs the body. */
  get signed(): Required<SignedFields> {
    const signs = this.#source.signs;
    const parsed = this.#parsed;
    const body = signs.body !== false;
    return {
      id: parsed.id === undefined ? body && this.id !== undefined : signs.id,
      type: parsed.type === undefined ? body && this.type !== undefined : signs.type,
      timestamp: parsed.timestamp !== undefined && signs.timestamp,
      body,
    };
  }

  /** Parsed from the verified bytes on first use only. */
  get payload(): unknown {
    this.#payload ??= { value: parsePayload(this.rawBody, this.#bodyFormat()) };
    return this.#payload.value;
  }

  /** Read from the content type once, for the payload and the type. */
  #bodyFormat(): PayloadFormat {
    return (this.#format ??= payloadFormat(this.#contentType));
  }

  /** Plain data for logs and JSON: the fields' values, without the raw bytes. */
  toJSON() {
    return {
      id: this.id,
      type: this.type,
      timestamp: this.timestamp,
      scheme: this.scheme,
      endpoint: this.endpoint,
      tenant: this.tenant,
      payload: this.payload,
    };
  }
}

function typeFromPayload(payload: unknown): string | undefined {
  const type =
    typeof payload === 'object' && payload !== null ? (payload as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : undefined;
}

/** The replay identity when a scheme does not name one: the signed id, else a digest of the body. */
function defaultReplayId(scheme: AnyWebhookScheme, parsed: ParsedWebhook, rawBody: Buffer): string {
  if (scheme.signs.id && parsed.id !== undefined) return `id:${parsed.id}`;
  return signedContentReplayId(rawBody);
}

/** One-off verification (a Lambda, a plain Node handler). Reuse a WebhookVerifier on hot paths. */
export function verifyWebhook(
  request: WebhookRequest,
  options: WebhookVerifierOptions,
): Promise<VerificationOutcome> {
  return new WebhookVerifier(options).verify(request);
}
