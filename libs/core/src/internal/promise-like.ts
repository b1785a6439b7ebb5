/**
 * A promise from any realm or library. `await` treats every thenable alike, so a check that lets a
 * value skip the `await` must too: a Bluebird or cross-realm promise is not `instanceof Promise`.
 */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
