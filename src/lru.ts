/**
 * Least-recently-used bookkeeping on a plain `Map`, whose insertion order serves as recency:
 * bounded maps of the monitoring code (alert cooldowns and windows, duration histograms) and the
 * compiled older definition versions. Every write to such a map goes through these functions.
 * @module
 */

/**
 * The key each map last moved to its end. A key touched again while still the newest is only
 * set: moving it (a delete, then a set) would leave a deleted entry behind each time, and V8
 * rebuilds a map's table once those fill it — for a workload of one workflow, every few
 * executions, on every finished execution's metrics and alert window.
 */
const newest = new WeakMap<Map<unknown, unknown>, unknown>();

/** Sets `key` to `value` as the most recently used entry of `map`. */
export function setRecent<K, V>(map: Map<K, V>, key: K, value: V): void {
  const m = map as Map<unknown, unknown>;
  // (The newest key dropped meanwhile by `dropOldest` is set again at the end all the same.)
  if (newest.get(m) !== key) {
    map.delete(key);
    newest.set(m, key);
  }
  map.set(key, value);
}

/** Removes and returns the least recently used entry of `map` while it holds more than `max`. */
export function dropOldest<K, V>(map: Map<K, V>, max: number): [K, V] | undefined {
  if (map.size <= max) return undefined;
  const oldest = map.entries().next().value as [K, V];
  map.delete(oldest[0]);
  return oldest;
}
