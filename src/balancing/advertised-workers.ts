/**
 * The workers a node's balancer spreads executions over, as its heartbeat advertises them
 * outside cluster mode (`info.workers`), so that `orchestrator workers` lists the same workers as
 * `GET /v1/workers` — idle ones included, and not the default `worker_1` of a node configured
 * with others — and judges the balance over the same loads.
 * @module
 */

/** Most worker ids a heartbeat carries: past it a node advertises none (the heartbeat stays small). */
export const MAX_ADVERTISED_WORKERS = 1000;

/** Most characters of worker ids, all together, a heartbeat carries: past it, none. */
export const MAX_ADVERTISED_CHARS = 64 * 1024;

/**
 * The `info` entry of a node's heartbeat: `{ workers }`, or past either bound `{ workers: 'omitted' }`
 * (readers then list the workers holding executions, not the default `worker_1`).
 */
export function advertisedWorkers(workers: readonly string[]): { workers: string[] | 'omitted' } {
  if (workers.length > MAX_ADVERTISED_WORKERS) return { workers: 'omitted' };
  let chars = 0;
  for (const w of workers) chars += w.length;
  return { workers: chars <= MAX_ADVERTISED_CHARS ? [...workers] : 'omitted' };
}

/**
 * The workers `info` advertises (none when it omitted them past a bound), or `null` when it says
 * nothing of them (a node of an earlier release). Entries that are no non-empty string are left out.
 */
export function readAdvertisedWorkers(info: Record<string, unknown>): string[] | null {
  const { workers } = info;
  if (workers === 'omitted') return [];
  if (!Array.isArray(workers)) return null;
  return workers.filter((w): w is string => typeof w === 'string' && w.length > 0);
}
