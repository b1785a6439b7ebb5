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
}

export interface ParseLimits {
  readonly maxHeaderLength: number;
  readonly maxSignatures: number;
}

export interface SignInput {
  /** The secret in the provider's own format (e.g. `whsec_…`). */
  readonly secret: string | Buffer;
  /** The exact bytes you will send. */
  readonly body: string | Buffer;
  readonly id?: string;
  /** When the delivery was signed; defaults to now. */
  readonly timestamp?: Date | number;
  readonly type?: string;
}

/**
 * A provider's signature scheme. Presets are factories (`standardWebhooks()`, `hmac({...})`); write
 * your own by implementing this interface.
 */
export interface WebhookScheme<Key = unknown> {
  /** Stable name, used as the default endpoint name and in logs and metrics. */
  readonly name: string;
  readonly signs: SignedFields;
  /** Default freshness window in ms (both directions); undefined when the scheme sends no timestamp. */
  readonly defaultToleranceMs: number | undefined;
  /** Reads signatures, id, timestamp and type from the headers; throws a 400/401 error when malformed. */
  parse(headers: WebhookHeaders, limits: ParseLimits): ParsedWebhook;
  /** Turns a configured secret into key material; throws `invalid_secret` with a message naming the fault. */
  importKey(secret: string | Buffer): Key;
  /** True when any offered signature is valid for this key over the raw bytes. Constant time per signature. */
  verify(parsed: ParsedWebhook, rawBody: Buffer, key: Key): boolean;
  /**
   * The replay identity from signed material. Default: the id when `signs.id`, else a digest of the
   * body (so a replay under a fresh, unsigned id header is still caught).
   */
  replayId?(parsed: ParsedWebhook, rawBody: Buffer): string | undefined;
  /** Creates the headers a real sender would, for tests and the CLI. */
  sign(input: SignInput): Record<string, string>;
}
