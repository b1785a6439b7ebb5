import { UsageError } from './usage-error.js';

/**
 * The `--redis` URL an operator command acts on, checked before anything connects: required (no
 * localhost fallback, so a forgotten flag never operates on whatever Redis happens to be local), a
 * `redis://` or `rediss://` URL, with a host (ioredis reads `redis://` alone as localhost too).
 */
export function requireRedisUrl(value: string | undefined, command: string): string {
  if (value === undefined || value === '') {
    throw new UsageError(
      `${command} needs --redis <url>: the deployment's Redis, with its credentials (redis://user:password@host:6379); there is no default.`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--redis takes a redis:// or rediss:// URL, got "${redact(value)}".`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`--redis takes a redis:// or rediss:// URL, got "${redact(value)}".`);
  }
  if (url.hostname === '') throw new UsageError('--redis names no host: give redis://host:port.');
  return value;
}

/** A URL as it may be printed: without its password. */
export function redact(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value.replace(/\/\/[^@/]*@/, '//***@');
  }
}
