/** A secret with an optional label, so rotation can be logged by name and never by value. */
export interface Secret {
  readonly value: string | Buffer;
  /** A name for logs and metrics, e.g. `2026-11-primary`. Never the secret itself. */
  readonly label?: string;
}

export type SecretInput = string | Secret;

/** What a resolver returns: one secret, several during rotation, or nothing for an unknown endpoint. */
export type ResolvedSecrets = SecretInput | readonly SecretInput[] | undefined | null;

/**
 * A resolver's answer that also names the tenant as it knows it. Return it from a resolver that
 * normalises (a case-insensitive lookup): replay keys and `event.tenant` then use this name, so
 * `ACME` and `acme` cannot each replay the same delivery as new.
 */
export interface TenantSecrets {
  readonly tenant: string;
  readonly secrets: ResolvedSecrets;
}

export const isTenantSecrets = (value: unknown): value is TenantSecrets =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as TenantSecrets).tenant === 'string' &&
  'secrets' in value;

export function toSecretList(resolved: ResolvedSecrets): readonly Secret[] {
  if (resolved === undefined || resolved === null) return [];
  const list = Array.isArray(resolved) ? (resolved as readonly SecretInput[]) : [resolved as SecretInput];
  // Resolvers that return the same normalised list on every call cost nothing here.
  return list.every((item) => typeof item !== 'string')
    ? list
    : list.map((item) => (typeof item === 'string' ? { value: item } : item));
}

/** Below this many bytes of key material a secret is guessable offline from one captured delivery. */
export const MIN_SECRET_BYTES = 16;

/** Stray whitespace is the most common copy-paste fault and silently breaks every signature. */
export function hasStrayWhitespace(value: string): boolean {
  return value !== value.trim() || /[\r\n\t]/.test(value);
}
