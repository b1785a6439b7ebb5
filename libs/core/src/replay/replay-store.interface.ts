/** The answer to a claim: this request owns the delivery, another request does, or it is done. */
export type ClaimResult =
  | { readonly state: 'claimed'; readonly token: string }
  | { readonly state: 'in_flight'; readonly retryAfterMs: number }
  | { readonly state: 'done' };

/**
 * Remembers deliveries so each is processed at most once while it can be replayed. Every call is
 * atomic; an implementation must survive many processes racing on one key.
 */
export interface ReplayStore {
  /**
   * Claims a delivery for `leaseMs` (in flight). If the process dies, the lease runs out and the
   * sender's retry can claim it again.
   */
  claim(key: string, leaseMs: number): Promise<ClaimResult>;
  /**
   * Marks the delivery processed for `ttlMs`, only while `token` still owns the claim or the key is
   * free (lease ran out and nobody claimed it since). Resolves true when `token` still owned it,
   * false when the lease had been lost (expired, or claimed by another request: then nothing is
   * written).
   */
  complete(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Drops the claim so the sender's retry is processed; nothing unless `token` still owns it. */
  release(key: string, token: string): Promise<void>;
  /** Extends the lease to `leaseMs` from now while `token` still owns it; false when it no longer does. */
  renew(key: string, token: string, leaseMs: number): Promise<boolean>;
  /** Answers when the store is reachable; throws otherwise (health checks). */
  ping?(): Promise<void>;
  /** Closes what the store opened itself. */
  close?(): Promise<void>;
}

/** Thrown by a store that cannot answer; the pipeline fails closed with 503. */
export class ReplayStoreUnavailableError extends Error {
  override readonly name = 'ReplayStoreUnavailableError';
}
