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
   * The same as `claim`, answered at once by a store that needs no I/O (the memory store). The
   * verifier prefers it, so a delivery passes the NestJS guard without waiting on a promise.
   */
  claimNow?(key: string, leaseMs: number): ClaimResult;
  /** Marks a claimed delivery processed; duplicates are answered 2xx for `ttlMs`. */
  complete(key: string, ttlMs: number): Promise<void>;
  /** Drops a claim so the sender's retry is processed. Does nothing unless `token` still owns the key. */
  release(key: string, token: string): Promise<void>;
  /** Answers when the store is reachable; throws otherwise (health checks). */
  ping?(): Promise<void>;
  /** Closes what the store opened itself. */
  close?(): Promise<void>;
}

/** Thrown by a store that cannot answer; the pipeline fails closed with 503. */
export class ReplayStoreUnavailableError extends Error {
  override readonly name = 'ReplayStoreUnavailableError';
}
