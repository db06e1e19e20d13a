/**
 * The remote workers registered with a node, as its heartbeat advertises them (`info.remoteWorkers`),
 * so that every node (`GET /v1/workers`' `nodes`) and `orchestrator workers`, reading the store's
 * node registry, see the workers of the whole cluster, each as of its node's last heartbeat — the
 * registrations themselves live only in the memory of the node a worker registered with.
 * @module
 */
import type { RemoteWorkerSummary } from './protocol.js';

/** Most workers a heartbeat lists: past it, it gives their count only (the heartbeat stays small). */
export const MAX_ADVERTISED_REMOTE_WORKERS = 100;

/** Most characters of the listed workers' ids, names and action names together: past it, the count only. */
export const MAX_ADVERTISED_REMOTE_CHARS = 16 * 1024;

/** The latest time a `Date` holds, ms. */
const MAX_DATE_MS = 8.64e15;

/** One remote worker as a heartbeat lists it (`lastSeen` in ms since the epoch). */
export interface AdvertisedRemoteWorker {
  id: string;
  name?: string;
  actions: string[];
  heldTasks: number;
  polling: number;
  lastSeen: number;
}

/** The `info.remoteWorkers` entry: how many are registered, and the list (or `'omitted'` past a bound). */
export interface AdvertisedRemoteWorkers {
  count: number;
  workers: AdvertisedRemoteWorker[] | 'omitted';
}

/** The heartbeat entry for `summaries` (see {@link AdvertisedRemoteWorkers}). */
export function advertisedRemoteWorkers(summaries: readonly RemoteWorkerSummary[]): AdvertisedRemoteWorkers {
  const count = summaries.length;
  if (count > MAX_ADVERTISED_REMOTE_WORKERS) return { count, workers: 'omitted' };
  let chars = 0;
  const workers = summaries.map((w): AdvertisedRemoteWorker => {
    chars += w.id.length + (w.name?.length ?? 0);
    for (const a of w.actions) chars += a.length;
    return {
      id: w.id,
      ...(w.name === undefined ? {} : { name: w.name }),
      actions: [...w.actions],
      heldTasks: w.heldTasks,
      polling: w.polling,
      lastSeen: w.lastSeen.getTime(),
    };
  });
  return { count, workers: chars <= MAX_ADVERTISED_REMOTE_CHARS ? workers : 'omitted' };
}

/**
 * What a heartbeat's `info` says of its remote workers, or null when it says nothing (no hub, or
 * a node of an earlier release). Entries of the wrong shape are left out.
 */
export function readAdvertisedRemoteWorkers(info: Record<string, unknown>): AdvertisedRemoteWorkers | null {
  const entry = info.remoteWorkers as Partial<AdvertisedRemoteWorkers> | null | undefined;
  if (entry === null || typeof entry !== 'object') return null;
  if (!Number.isSafeInteger(entry.count) || (entry.count as number) < 0) return null;
  const count = entry.count as number;
  if (entry.workers === 'omitted') return { count, workers: 'omitted' };
  if (!Array.isArray(entry.workers)) return null;
  const workers = entry.workers.filter(
    (w): w is AdvertisedRemoteWorker =>
      w !== null &&
      typeof w === 'object' &&
      typeof w.id === 'string' &&
      Array.isArray(w.actions) &&
      w.actions.every((a: unknown) => typeof a === 'string') &&
      typeof w.heldTasks === 'number' &&
      typeof w.polling === 'number' &&
      // A time a Date holds (the dashboard shows it as one).
      Number.isSafeInteger(w.lastSeen) &&
      w.lastSeen >= 0 &&
      w.lastSeen <= MAX_DATE_MS &&
      (w.name === undefined || typeof w.name === 'string'),
  );
  return { count, workers };
}
