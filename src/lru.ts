/**
 * Least-recently-used bookkeeping on a plain `Map`, whose insertion order serves as recency:
 * bounded maps of the monitoring code (alert cooldowns and windows, duration histograms).
 * @module
 */

/** Sets `key` to `value` as the most recently used entry of `map`. */
export function setRecent<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}

/** Removes and returns the least recently used entry of `map` while it holds more than `max`. */
export function dropOldest<K, V>(map: Map<K, V>, max: number): [K, V] | undefined {
  if (map.size <= max) return undefined;
  const oldest = map.entries().next().value as [K, V];
  map.delete(oldest[0]);
  return oldest;
}
