import type { WebhookHeaders } from '../internal/headers.js';
import type { ResolvedSecrets, SecretInput, TenantSecrets } from './secret.js';

/** What a resolver knows about a delivery before it is verified. Nothing here comes from the body. */
export interface SecretContext {
  /** The endpoint name given on the route (defaults to the scheme's name). */
  readonly endpoint: string;
  /** The scheme's name, e.g. `standard-webhooks`. */
  readonly scheme: string;
  /** The event type from headers, when the scheme sends one. Unverified: choose a key by it, trust nothing else. */
  readonly eventType: string | undefined;
  /** The tenant, when the route names one (a route parameter). */
  readonly tenant: string | undefined;
  /** Route parameters, e.g. `{ tenant: 'acme' }`. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: WebhookHeaders;
}

/** What `resolve` may answer: the secret(s), or the secret(s) with the tenant's canonical name. */
export type ResolverAnswer = ResolvedSecrets | TenantSecrets;

/**
 * Finds the secret(s) for one delivery. Return several during rotation; return nothing for an
 * unknown endpoint or tenant (the delivery is refused like a wrong signature). Throwing answers 503.
 * A resolver that matches tenants loosely returns `{ tenant, secrets }` with the canonical name.
 */
export interface SecretResolver {
  resolve(context: SecretContext): ResolverAnswer | Promise<ResolverAnswer>;
  /**
   * Optional: the secrets this resolver can name up front, so they are checked at boot (format,
   * whitespace, length). Resolvers backed by a database leave it out.
   */
  knownSecrets?(): Iterable<KnownSecret>;
}

export interface KnownSecret {
  /** Where the secret is used, for the boot error message (`endpoint stripe`, `tenant acme`). */
  readonly where: string;
  /** Restrict the check to one endpoint; omitted = it may serve any endpoint. */
  readonly endpoint?: string;
  /** `undefined`: configured but missing (an unset environment variable), a boot error. */
  readonly secret: SecretInput | undefined;
}

export type SecretResolverFunction = (context: SecretContext) => ResolverAnswer | Promise<ResolverAnswer>;
