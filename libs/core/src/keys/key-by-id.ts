import type { KeyObject } from 'node:crypto';
import type { KeyFetcher } from './key-fetcher.js';
import type { KeyUrlPolicy } from './key-url-policy.js';
import type { KeySet } from './key-sets.js';

/** A key id missing from the cached set refetches it at most this often (keys rotated; or a forger's id). */
const REFETCH_UNKNOWN_KID_MS = 60_000;

/**
 * The public key for a token's key id from a provider's key document, cached; an unknown id
 * refetches the document once a minute at most, so forged ids cost no fetch per request.
 */
export async function keyById(
  fetcher: KeyFetcher,
  url: URL,
  policy: KeyUrlPolicy,
  parse: (body: Buffer) => KeySet,
  kid: string,
): Promise<KeyObject | undefined> {
  const keys = await fetcher.cached(url, policy, parse);
  const key = keys.get(kid);
  if (key !== undefined) return key;
  const refreshed = await fetcher.cached(url, policy, parse, { olderThanMs: REFETCH_UNKNOWN_KID_MS });
  return refreshed.get(kid);
}
