import { createHash, hash, randomBytes } from 'node:crypto';

export interface ReplayKeyParts {
  /** Key prefix; one per application sharing a Redis. Default `vw:`. */
  readonly prefix?: string;
  readonly endpoint: string;
  readonly tenant?: string | undefined;
  /** The replay identity from signed material (see WebhookScheme.replayId). */
  readonly replayId: string;
}

/**
 * A bounded, namespaced key. The digest inside `{…}` is a Redis Cluster hash tag, so a key and
 * anything derived from it stay in one slot; keys still spread evenly over the cluster.
 */
export function replayKey(parts: ReplayKeyParts): string {
  // One-shot hash: on every accepted delivery, and half the cost of a streamed createHash().
  const digest = hash('sha256', `${parts.endpoint}\0${parts.tenant ?? ''}\0${parts.replayId}`, 'base64url');
  return `${parts.prefix ?? 'vw:'}{${digest}}`;
}

/**
 * A replay identity from signed material: a digest of every signed part (timestamp, body, ...),
 * separated so that no two different inputs collide. Use it where no signed id exists.
 */
export function signedContentReplayId(...parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash
      .update(String(Buffer.byteLength(part)))
      .update(':')
      .update(part);
  }
  return `signed:${hash.digest('base64url')}`;
}

/** Random per process, so tokens from two processes never collide. */
const TOKEN_PREFIX = randomBytes(9).toString('base64url');
let tokenCounter = 0;

/**
 * A claim token unique across processes, so a late release never deletes another request's claim.
 * It need not be secret (release is an in-process call that also needs the key), only unique.
 */
export const newClaimToken = (): string => `${TOKEN_PREFIX}${(++tokenCounter).toString(36)}`;
