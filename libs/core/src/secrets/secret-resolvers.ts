import type { ResolvedSecrets, SecretInput } from './secret.js';
import { toSecretList } from './secret.js';
import type {
  KnownSecret,
  SecretContext,
  SecretResolver,
  SecretResolverFunction,
} from './secret-resolver.interface.js';

type SecretOrList = SecretInput | readonly SecretInput[];

/**
 * What a map or list configures, an `undefined` entry kept as such: `process.env.X!` of an unset
 * variable is a boot error (checkSecrets), not a refusal of every delivery.
 */
function known(where: string, secrets: SecretOrList | undefined | null, endpoint?: string): KnownSecret[] {
  const list: readonly (SecretInput | undefined | null)[] = Array.isArray(secrets)
    ? (secrets as readonly SecretInput[])
    : [secrets as SecretInput | undefined];
  return list.map((secret) => ({ where, secret: secret ?? undefined, ...(endpoint ? { endpoint } : {}) }));
}

/** Configured secrets with the missing ones left out, for `resolve`. */
const present = (secrets: SecretOrList | undefined | null): ResolvedSecrets =>
  Array.isArray(secrets) ? (secrets as readonly SecretInput[]).filter((secret) => secret != null) : secrets;

/** The same secret(s) for every delivery. List several to rotate: any of them may match. */
export function staticSecret(...secrets: SecretInput[]): SecretResolver {
  const list = toSecretList(present(secrets));
  return {
    resolve: () => list,
    knownSecrets: () => known('static secret', secrets.length === 0 ? undefined : secrets),
  };
}

/** One secret (or list) per endpoint name; an endpoint not in the map is refused. */
export function secretsByEndpoint(map: Readonly<Record<string, SecretOrList>>): SecretResolver {
  const table = new Map(Object.entries(map));
  return {
    resolve: (context) => present(table.get(context.endpoint)),
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
      const secrets = context.tenant === undefined ? undefined : present(table.get(context.tenant));
      return secrets == null ? undefined : { tenant: context.tenant!, secrets };
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
      present((context.eventType === undefined ? undefined : table.get(context.eventType)) ?? fallback),
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
    // Read at each delivery: unset at boot may be set later, so only what is set is checked.
    knownSecrets: () => {
      const secrets = read();
      return secrets == null ? [] : known(`environment variable ${variable}`, secrets);
    },
  };
}

/** Any function, e.g. a database lookup by tenant. */
export function secretResolver(fn: SecretResolverFunction): SecretResolver {
  return { resolve: fn };
}

/** What the options accept where a resolver is expected. */
export type SecretSource = SecretResolver | SecretResolverFunction | SecretInput | readonly SecretInput[];

/** A `secrets` option given as `undefined` (an unset environment variable): reported at boot. */
export function missingSecrets(where: string): SecretResolver {
  return { resolve: () => undefined, knownSecrets: () => known(where, undefined) };
}

export function toSecretResolver(source: SecretSource | undefined | null): SecretResolver {
  if (source === undefined || source === null) return missingSecrets('the secrets option');
  if (typeof source === 'function') return secretResolver(source);
  if (typeof source === 'string') return staticSecret(source);
  if (Array.isArray(source)) return staticSecret(...(source as SecretInput[]));
  if (typeof (source as SecretResolver).resolve === 'function') return source as SecretResolver;
  return staticSecret(source as SecretInput);
}

export type { SecretContext };
