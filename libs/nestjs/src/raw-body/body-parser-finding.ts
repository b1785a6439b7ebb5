/** What a boot probe learnt about the parser that reads one content type on one route. */
export interface BodyParserFinding {
  readonly contentType: string;
  /** The parser consumes the body and keeps no bytes: every such delivery is refused (500). */
  readonly discardsBytes: boolean;
  /** The parser refuses bodies above this many bytes, below the route's own limit; else undefined. */
  readonly limit?: number | undefined;
  /** The fix, in one sentence. */
  readonly fix: string;
}

/** The content types webhook senders post, with a small body of each for the probes. */
export const PROBED_BODIES: readonly (readonly [contentType: string, body: string])[] = [
  ['application/json', '{}'],
  ['application/x-www-form-urlencoded', 'a=b'],
  ['text/plain', 'a'],
];

/** Settles within a bound even if a custom parser never calls back: boot must not hang on a probe. */
export function bounded<T>(probe: (settle: (value: T) => void) => void, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), 1_000);
    const settle = (value: T) => {
      clearTimeout(timer);
      resolve(value);
    };
    try {
      probe(settle);
    } catch {
      settle(fallback);
    }
  });
}
