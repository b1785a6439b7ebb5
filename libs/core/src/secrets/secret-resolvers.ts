import type { ResolvedSecrets, SecretInput } from './secret.js';
import { toSecretList } from './secret.js';
import type {
  KnownSecret,
  SecretContext,
  SecretResolver,
  SecretResolverFunction,
} from './secret-resolver.interface.js';

type SecretOrList = SecretInput | readonly SecretInput[];

function known(where: string, secrets: ResolvedSecrets, endpoint?: string): KnownSecret[] {
  return toSecretList(secrets).map((secret) => ({ where, secret, ...(endpoint ? { endpoint } : {}) }));
}

/** The same secret(s) for every delivery. List several to rotate: any of them may match. */
export function staticSecret(...secrets: SecretInput[]): SecretResolver {
  const list = toSecretList(secrets);
  return {
    resolve: () => list,
    knownSecrets: () => known('static secret', list),
  };
}

/** One secret (or list) per endpoint name; an endpoint not in the map is refused. */
export function secretsByEndpoint(map: Readonly<Record<string, SecretOrList>>): SecretResolver {
  const table = new Map(Object.entries(map));
  return {
    resolve: (context) => table.get(context.endpoint),
    knownSecrets: () =>
      [...table].flatMap(([endpoint, secrets]) => known(`endpoint ${endpoint}`, secrets, endpoint)),
  };
}

/**
 * One secret per tenant (the route's tenant parameter), matched exactly; an unknown tenant is
 * refused. It names the tenant it matched, so replays are keyed on it.
 */
export function secretsByTenant(map: Readonly<Record<string, SecretOrList>>): SecretResolver {
  const table = new Map(Object.entries(map));
  return {
    resolve: (context) => {
      const secrets = context.tenant === undefined ? undefined : table.get(context.tenant);
      return secrets === undefined ? undefined : { tenant: context.tenant!, secrets };
    },
    knownSecrets: () => [...table].flatMap(([tenant, secrets]) => known(`tenant ${tenant}`, secrets)),
  };
}

/**
 * One secret per event type, for senders that sign each topic with its own key. The type comes
 * from a header and is unverified; it only picks the key, so a lie makes verification fail.
 */
export function secretsByEventType(
  map: Readonly<Record<string, SecretOrList>>,
  fallback?: SecretOrList,
): SecretResolver {
  const table = new Map(Object.entries(map));
  return {
    resolve: (context) =>
      (context.eventType === undefined ? undefined : table.get(context.eventType)) ?? fallback,
    knownSecrets: () => [
      ...[...table].flatMap(([type, secrets]) => known(`event type ${type}`, secrets)),
      ...(fallback === undefined ? [] : known('fallback', fallback)),
    ],
  };
}

/**
 * A secret read from an environment variable at each delivery (so a restart is not needed after the
 * platform rotates it). A value starting with `[` is read as a JSON array of secrets.
 */
export function secretFromEnv(variable: string, env: NodeJS.ProcessEnv = process.env): SecretResolver {
  const read = (): ResolvedSecrets => {
    const value = env[variable];
    if (value === undefined || value === '') return undefined;
    if (value.startsWith('[')) return JSON.parse(value) as string[];
    return value;
  };
  return {
    resolve: read,
    knownSecrets: () => known(`environment variable ${variable}`, read()),
  };
}

/** Any function, e.g. a database lookup by tenant. */
export function secretResolver(fn: SecretResolverFunction): SecretResolver {
  return { resolve: fn };
}

/** What the options accept where a resolver is expected. */
export type SecretSource = SecretResolver | SecretResolverFunction | SecretInput | readonly SecretInput[];

export function toSecretResolver(source: SecretSource): SecretResolver {
  if (typeof source === 'function') return secretResolver(source);
  if (typeof source === 'string') return staticSecret(source);
  if (Array.isArray(source)) return staticSecret(...(source as SecretInput[]));
  if (typeof (source as SecretResolver).resolve === 'function') return source as SecretResolver;
  return staticSecret(source as SecretInput);
}

export type { SecretContext };
