import type { WebhookHeaders } from '../internal/headers.js';

/** What a scheme read from the headers, before anything is verified. */
export interface ParsedWebhook {
  /** Every signature the sender offered, decoded; during rotation there may be several. */
  readonly signatures: readonly Buffer[];
  /** The delivery id, when the scheme sends one. */
  readonly id?: string | undefined;
  /** The sender's timestamp in ms since the epoch, when the scheme sends one. */
  readonly timestamp?: number | undefined;
  /** The event type from headers, when the scheme sends one. */
  readonly type?: string | undefined;
}

/** Which parts of a delivery the signature covers: only these may be trusted. */
export interface SignedFields {
  readonly id: boolean;
  readonly timestamp: boolean;
  readonly type: boolean;
  /**
   * The raw body. Default true; false for schemes that authenticate none of it (Mailgun signs a
   * timestamp and a token, a shared token signs nothing).
   */
  readonly body?: boolean;
}

export interface ParseLimits {
  readonly maxHeaderLength: number;
  readonly maxSignatures: number;
}

/** What a scheme may read besides headers. */
export interface ParseContext {
  readonly limits: ParseLimits;
  /** The raw bytes (for schemes whose timestamp or id sits in the signed body). */
  readonly rawBody: Buffer;
  /** The public URL the sender posted to, when configured (Twilio, Square sign it). */
  readonly url?: string | undefined;
  readonly method?: string | undefined;
  /**
   * The verifier's clock at this delivery, in ms, for schemes that check a signed expiry while
   * parsing (a JWT's `exp`), before any key is fetched. Absent when a caller parses on its own: now.
   */
  readonly now?: number | undefined;
}

export interface SignInput {
  /** The secret in the provider's own format (e.g. `whsec_…`); a private key for asymmetric schemes. */
  readonly secret: string | Buffer;
  /** The exact bytes you will send. */
  readonly body: string | Buffer;
  readonly id?: string;
  /** When the delivery was signed; defaults to now. */
  readonly timestamp?: Date | number;
  readonly type?: string;
  /** The URL the delivery is posted to, for schemes that sign it. */
  readonly url?: string;
}

/** A provider's challenge request as the scheme sees it. */
export interface HandshakeRequest {
  readonly method: string;
  readonly headers: WebhookHeaders;
  readonly rawBody: Buffer;
  readonly url?: string | undefined;
  /** Query parameters (Dropbox sends `?challenge=`). */
  readonly query: Readonly<Record<string, string | undefined>>;
}

/** What to answer a handshake with; the handler never runs for it. */
export interface HandshakeReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or Buffer is sent as is; an object as JSON. */
  readonly body?: string | Buffer | object;
}

/**
 * A provider's signature scheme. Presets are factories (`standardWebhooks()`, `hmac({...})`); write
 * your own by implementing this interface.
 */
/**
 * What `verify` answers: `boolean` for every scheme whose keys are configured (the synchronous fast
 * path), a promise for schemes that fetch keys (SNS certificates, Google's and Microsoft's JWKS;
 * docs/architecture.md, "Keys that are fetched").
 */
export type VerifyResult = boolean | Promise<boolean>;

export interface WebhookScheme<
  Key = unknown,
  Parsed extends ParsedWebhook = ParsedWebhook,
  Verdict extends VerifyResult = boolean,
> {
  /** Stable name, used as the default endpoint name and in logs and metrics. */
  readonly name: string;
  readonly signs: SignedFields;
  /** Default freshness window in ms (both directions); undefined when the scheme sends no timestamp. */
  readonly defaultToleranceMs: number | undefined;
  /**
   * How `event.payload` is read, when the provider defines it: `json` for providers that only ever send
   * JSON (whatever the unsigned Content-Type says; a form body with one `payload` field, GitHub's form
   * mode, yields the JSON inside). Unset: by the Content-Type (JSON, form fields, `text/*` as text).
   */
  readonly payloadFormat?: 'json';
  /**
   * The sender requires answers without a body (Xero's intent to receive expects a bare 401 for an
   * incorrectly signed probe): refusals and duplicates are then answered with their status only.
   * In Nest such a refusal is written by the guard rather than thrown, so exception filters do not
   * see it (it is still logged and counted).
   */
  readonly bodylessAnswers?: boolean;
  /** Reads signatures, id, timestamp and type; throws a 400/401 WebhookVerificationError when malformed. */
  parse(headers: WebhookHeaders, context: ParseContext): Parsed;
  /** Turns a configured secret into key material; throws `invalid_secret` with a message naming the fault. */
  importKey(secret: string | Buffer): Key;
  /**
   * True when any offered signature is valid for this key over the raw bytes. Constant time per
   * signature. A scheme that fetches keys answers a promise, and fetches only once every check that
   * needs no key has passed (a forged request costs no outbound call).
   */
  verify(parsed: Parsed, rawBody: Buffer, key: Key): Verdict;
  /**
   * The replay identity from signed material. Default: the id when `signs.id`, else a digest of the
   * body (so a replay under a fresh, unsigned id header is still caught).
   */
  replayId?(parsed: Parsed, rawBody: Buffer): string | undefined;
  /** The delivery id from the verified body, for schemes that carry it there (Stripe `evt_…`, Paddle `event_id`). */
  eventId?(parsed: Parsed, rawBody: Buffer): string | undefined;
  /**
   * The event type from the verified JSON payload, for schemes that keep it in a field other than
   * `type` (WorkOS `event`, Lemon Squeezy `meta.event_name`). Used only when no header carries it.
   */
  eventType?(payload: unknown): string | undefined;
  /** Answers an unsigned provider challenge (Dropbox `?challenge`, Trello HEAD, ...) before verification. */
  unsignedHandshake?(
    request: HandshakeRequest,
  ): HandshakeReply | undefined | Promise<HandshakeReply | undefined>;
  /**
   * Answers a signed provider challenge (Slack url_verification, Zoom, Twitch, Discord PING) after
   * verification; a promise where answering needs a call out (SNS SubscriptionConfirmation).
   */
  signedHandshake?(
    request: HandshakeRequest,
    parsed: Parsed,
    keys: readonly Key[],
  ): HandshakeReply | undefined | Promise<HandshakeReply | undefined>;
  /**
   * The names a verified delivery is dispatched to handlers by, when more than its type: GitHub's
   * `issues` event with `"action": "opened"` is `['issues', 'issues.opened']`. Default `[type]`.
   */
  eventNames?(type: string | undefined, payload: unknown): string[] | undefined;
  /** Creates the headers a real sender would, for tests and the CLI. */
  sign(input: SignInput): Record<string, string>;
  /**
   * For schemes whose signatures travel inside the body (Adyen's per-item `hmacSignature`): the body
   * as the sender would send it, signed. The CLI sends this instead of the input body.
   */
  signBody?(input: SignInput): Buffer;
  /**
   * The body as it may be stored (queue job data, archives): without secrets the sender put in it
   * (Microsoft Graph's `clientState`). Applied once verification has passed; handlers see this body,
   * and a changed one is marked `redacted` (docs/architecture.md, "Archive and replay").
   */
  storedBody?(rawBody: Buffer): Buffer;
}

/** Any scheme, whatever its key and parsed types (method parameters are bivariant, so every preset fits). */
export type AnyWebhookScheme = WebhookScheme<unknown, ParsedWebhook, VerifyResult>;
