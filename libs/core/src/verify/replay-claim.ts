import type { ReplayStore } from '../replay/replay-store.interface.js';

/** A held replay claim: settle it once the handler has run. */
export interface ReplayClaim {
  /** The replay key: one per delivery, endpoint and tenant. */
  readonly key: string;
  /** The delivery was processed: answer its duplicates 2xx from now on. */
  complete(): Promise<void>;
  /** The handler failed: let the sender's retry be processed. */
  release(): Promise<void>;
}

export interface HeldClaimOptions {
  readonly store: ReplayStore;
  readonly key: string;
  readonly token: string;
  readonly leaseMs: number;
  /** How long the delivery is remembered once done. */
  readonly ttlMs: number;
  /** Longest the lease is renewed for while the handler runs. */
  readonly maxHoldMs: number;
  /** Told when the lease was lost before the claim was settled; never given a secret. */
  readonly onWarning: (message: string, error?: unknown) => void;
}

const RETRY_DELAYS_MS = [50, 250, 1_000];

/**
 * The claim a new delivery holds while its handler runs. The lease is renewed (only while the store
 * still holds our token) so a slow handler does not let the sender's retry run beside it; renewal
 * stops at `maxHoldMs`, so a handler that never settles cannot hold a delivery forever. A lease lost
 * before the claim is settled is reported: a replay may have been processed meanwhile.
 */
export function holdClaim(options: HeldClaimOptions): ReplayClaim {
  const { store, key, token, leaseMs, onWarning } = options;
  const startedAt = Date.now();
  let settled = false;
  const renewal = setInterval(() => {
    if (Date.now() - startedAt + leaseMs > options.maxHoldMs) {
      clearInterval(renewal);
      return;
    }
    store.renew(key, token, leaseMs).then(
      (owned) => {
        if (owned || settled) return;
        clearInterval(renewal);
        onWarning('A delivery lost its lease while its handler ran: a replay may run beside it.');
      },
      (error: unknown) => onWarning('Could not renew a delivery lease.', error),
    );
  }, leaseMs / 3);
  renewal.unref();
  const settle = () => {
    settled = true;
    clearInterval(renewal);
  };
  return {
    key,
    async complete() {
      settle();
      const owned = await withRetries(() => store.complete(key, token, options.ttlMs));
      if (!owned) {
        onWarning(
          'A delivery completed after its lease ran out: a replay may have been processed beside it.',
        );
      }
    },
    async release() {
      settle();
      await withRetries(() => store.release(key, token));
    },
  };
}

/**
 * Settling a claim is retried briefly: a `complete` lost to a blip would leave the delivery in flight
 * until the lease ends, and a retry after that would be processed twice.
 */
async function withRetries<T>(operation: () => Promise<T>): Promise<T> {
  for (const delay of RETRY_DELAYS_MS) {
    try {
      return await operation();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return operation();
}
