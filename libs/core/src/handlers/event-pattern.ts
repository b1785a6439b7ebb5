/** A handler's patterns, checked once when it is registered. */
export function checkPatterns(patterns: readonly string[], where: string): void {
  if (patterns.length === 0) throw new Error(`verified-webhooks: ${where} names no event type.`);
  for (const pattern of patterns) {
    if (typeof pattern !== 'string' || pattern === '' || (pattern.includes('*') && !isWildcard(pattern))) {
      throw new Error(
        `verified-webhooks: ${where} has the event pattern ${JSON.stringify(pattern)}; use a type, 'prefix.*' or '*'.`,
      );
    }
  }
}

const isWildcard = (pattern: string) =>
  pattern === '*' || (pattern.endsWith('.*') && !pattern.slice(0, -2).includes('*'));

/** Whether any of the delivery's names matches any pattern: exact, `'prefix.*'` or `'*'`. */
export function matchesAny(patterns: readonly string[], names: readonly string[]): boolean {
  return patterns.some((pattern) =>
    pattern === '*'
      ? true
      : pattern.endsWith('.*')
        ? names.some((name) => name.startsWith(pattern.slice(0, -1)))
        : names.includes(pattern),
  );
}
