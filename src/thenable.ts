/**
 * Whether a value is a promise-like (has a `then` method), without awaiting it: what a handler or
 * listener returned, or a store's commit.
 * @module
 */

/** True for an object or function with a callable `then`. */
export function isThenable<T = unknown>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<T>).then === 'function'
  );
}
