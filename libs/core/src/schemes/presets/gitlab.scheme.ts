import type { WebhookScheme } from '../webhook-scheme.interface.js';
import { sharedToken } from '../families/shared-token.scheme.js';

export interface GitLabOptions {
  /** Scheme name for logs and the default endpoint. Default `gitlab`. */
  name?: string;
}

/**
 * GitLab "Secret token": `X-Gitlab-Token` repeats the configured token verbatim. This is a shared
 * BEARER SECRET, not a signature: it proves the sender knows the token, but it does not cover the
 * body, and anyone who sees one request (a logging proxy, a misrouted delivery) can forge any
 * number. Use HTTPS end to end and never log the header. The comparison hashes both sides with
 * SHA-256 before `timingSafeEqual`, so neither timing nor length leaks.
 *
 * `Idempotency-Key` / `X-Gitlab-Event-UUID` and `X-Gitlab-Event` are unsigned: reported, never
 * trusted; the replay identity is a digest of the body. For GitLab's newer signing token (Standard
 * Webhooks `webhook-signature`), use `standardWebhooks()` instead.
 */
export function gitlab(options: GitLabOptions = {}): WebhookScheme<Buffer> {
  return sharedToken({
    name: options.name ?? 'gitlab',
    header: 'x-gitlab-token',
    idHeaders: ['idempotency-key', 'x-gitlab-event-uuid'],
    typeHeader: 'x-gitlab-event',
  });
}
