/**
 * What `metrics` and `workers` compute from a store, without a running orchestrator: counts
 * and rates from the store's aggregates (the same counts a live orchestrator starts from),
 * durations from a sample of recent finished executions, worker load from the stored
 * `workerId` of active executions (in cluster mode, a live node's from the unfinished executions
 * it owns, as the balancers count it), and the nodes from the store's node registry.
 * @module
 */
import { readAdvertisedWorkers } from '../balancing/advertised-workers.js';
import { LoadBalancer } from '../balancing/load-balancer.js';
import { elapsedMs } from '../clock.js';
import { ALERT_DEFAULTS, DEFAULTS } from '../config.js';
import { ownerKnownDead } from '../engine/owners.js';
import { leaseOf } from '../engine/placement.js';
import { executionRates } from '../monitoring/rates.js';
import {
  type AdvertisedRemoteWorkers,
  readAdvertisedRemoteWorkers,
} from '../remote/advertised-remote-workers.js';
import { UNFINISHED_STATES } from '../store/states.js';
import type { ExecutionRecord, NodeRecord, Store, StoreAggregates } from '../store/store.js';
import { byCodeUnits } from '../string-order.js';
import type { ExecutionState } from '../types.js';
import type { StoreClient } from './store-client.js';

/** Finished executions sampled (the newest, whatever their terminal state) for the duration figures. */
export const DURATION_SAMPLE = 500;

/** Metrics of all workflows or one, computed from the store. */
export interface StoreMetrics {
  executions: Record<ExecutionState, number> & { total: number };
  /** completed / finished. */
  successRate: number;
  /** steps that needed a retry / steps run. */
  retryRate: number;
  /** Steps run (each once, whatever its attempts): what `retryRate` divides by, as in getMetrics(). */
  stepsRun: number;
  /** executions that compensated / finished. */
  compensationRate: number;
}

/** Counts and rates from aggregates (the definitions of SPEC §5). */
export function metricsFromAggregates(a: StoreAggregates): StoreMetrics {
  const s = a.byStatus;
  const total = s.completed + s.failed + s.cancelled + s.pending + s.running + s.compensating;
  return { executions: { total, ...s }, ...executionRates(a), stepsRun: a.stepsRun };
}

/** Average and p95 (nearest rank) of durations in ms; zeros when empty. */
export function durationStats(durations: number[]): { count: number; avgMs: number; p95Ms: number } {
  if (durations.length === 0) return { count: 0, avgMs: 0, p95Ms: 0 };
  const sorted = [...durations].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, d) => acc + d, 0);
  const rank = Math.max(1, Math.ceil(0.95 * sorted.length));
  return { count: sorted.length, avgMs: sum / sorted.length, p95Ms: sorted[rank - 1] ?? 0 };
}

/**
 * Durations (start to finish) of the newest {@link DURATION_SAMPLE} finished executions that ran,
 * whatever their state (the newest of each state are read, then the newest of those kept: an old
 * failure is not part of a sample of newer completions): one that ended while still queued
 * (cancelled, or timed out waiting) never started and has none, as in a live orchestrator's metrics.
 */
export async function recentDurations(client: StoreClient, workflowId?: string): Promise<number[]> {
  const records = await client.records(['completed', 'failed', 'cancelled'], DURATION_SAMPLE, workflowId);
  const durations: number[] = [];
  for (const r of records) {
    if (durations.length === DURATION_SAMPLE) break;
    if (r.completedAt !== null && r.startedAt !== null) durations.push(elapsedMs(r.startedAt, r.completedAt));
  }
  return durations;
}

/** One worker's load. */
export interface WorkerLoad {
  id: string;
  /**
   * Running or compensating executions placed on it; for a live node of a cluster (`source`
   * `node`), the unfinished executions it holds, queued ones too: its load as the balancers count it.
   */
  active: number;
  /** Whether it is in the default configuration. */
  configured: boolean;
  /**
   * Why it is listed: in the default configuration, a live node of a cluster (whose nodes are
   * the workers, idle ones included), or only seen as the worker of active executions.
   */
  source: 'configured' | 'node' | 'seen';
}

/**
 * One node (engine process) of the store: from the node registry (each orchestrator heartbeats
 * its row while it runs and removes it when it closes), and from the owners of unfinished
 * executions (a node that crashed keeps its row and its executions until others take them over).
 */
export interface NodeLoad {
  id: string;
  /**
   * `alive`: heartbeat within its lease (or, for an owner without a registry row, a current lease);
   * `stale`: heartbeat (or lease) older than that; `dead`: its process on this host is gone.
   */
  state: 'alive' | 'stale' | 'dead';
  /** Last heartbeat (ms), null for an owner without a registry row. */
  lastHeartbeat: number | null;
  /** When it started (ms), from its row. */
  startedAt: number | null;
  /** Its own count, at its last heartbeat, of executions running and queued, and its slots. */
  running: number | null;
  queued: number | null;
  capacity: number | null;
  /** Its lease length (s), as it reported it. */
  leaseSeconds: number;
  /** Unfinished executions it owns in the store. */
  executions: number;
  /** Latest lease expiry (ms) of those. */
  leaseUntil: number | null;
  /** Whether it has a row in the node registry. */
  registered: boolean;
}

/** How even the workers' load is, as `GET /v1/workers` reports it. */
export interface WorkerBalance {
  /** Every worker's load within `threshold × mean` of the mean (`LoadBalancer.isBalanced`). */
  balanced: boolean;
  /** The `alerts.imbalanceThreshold` judged at: the configured one (`--config`), else its default. */
  threshold: number;
  /** `LoadBalancer.balanceScore()` over the workers' loads: 1 as even as whole executions allow. */
  balanceScore: number;
}

/** Worker and node load of a store. */
export interface WorkersReport extends WorkerBalance {
  workers: WorkerLoad[];
  loadDistribution: Record<string, number>;
  nodes: NodeLoad[];
  /**
   * The remote workers registered with each live node, as its last heartbeat listed them (nodes
   * that list none, or of an earlier release, left out); `workers: 'omitted'` past the bound a
   * heartbeat lists (`count` says how many).
   */
  remoteWorkers: ({ node: string } & AdvertisedRemoteWorkers)[];
}

/** Most unfinished executions scanned (per state) for the workers report. */
const SCAN_LIMIT = 10_000;

/**
 * Worker load: the stored `workerId` of active (running, compensating) executions among `held`
 * (the unfinished ones), plus `defaults` (the configured workers; none in cluster mode, where the
 * nodes are the workers). Executions a live placing node holds are not counted under their
 * `workerId`: the node counts them as its own (see {@link workersReport}), though their
 * `workerId` names the node they were taken over from until it starts them (they wait for a
 * slot). Counted under both, the listing added up to more than there were and judged the cluster
 * imbalanced. A worker is listed if configured or if it has some.
 */
function workerLoad(
  held: readonly ExecutionRecord[],
  defaults: readonly string[],
  placing: ReadonlySet<string>,
): WorkerLoad[] {
  const load = new Map<string, number>(defaults.map((w) => [w, 0]));
  for (const r of held) {
    if (r.status === 'pending' || !r.workerId || (r.owner !== null && placing.has(r.owner))) continue;
    load.set(r.workerId, (load.get(r.workerId) ?? 0) + 1);
  }
  const configured = new Set<string>(defaults);
  return [...load.entries()].map(([id, count]): WorkerLoad => {
    const isDefault = configured.has(id);
    return { id, active: count, configured: isDefault, source: isDefault ? 'configured' : 'seen' };
  });
}

/**
 * The workers the live nodes advertise (each node's in its balancer's order, the nodes in the
 * registry's), or `fallback` (the config file's `workers`, else the default ones) when none does.
 */
function configuredWorkers(
  store: Store,
  nodes: readonly NodeRecord[],
  now: number,
  fallback: readonly string[],
): readonly string[] {
  const advertised = new Set<string>();
  let any = false;
  for (const n of nodes) {
    const leaseMs = leaseOf(n) ?? DEFAULTS.leaseSeconds * 1000;
    if (now - n.lastHeartbeat > leaseMs || ownerKnownDead(n.id, store)) continue;
    const workers = readAdvertisedWorkers(n.info);
    if (workers === null) continue;
    any = true;
    for (const w of workers) advertised.add(w);
  }
  return any ? [...advertised] : fallback;
}

/** Cluster mode (the default on PostgreSQL) makes the nodes the workers. */
function isCluster(client: StoreClient, nodes: readonly NodeRecord[]): boolean {
  return nodes.length > 0 ? nodes.some((n) => n.info.cluster === true) : client.store.kind === 'postgres';
}

/**
 * The balance of `workers` as a live orchestrator's balancer computes it (`GET /v1/workers`,
 * the dashboard): the same `LoadBalancer` formulas over the same loads, judged at `threshold`
 * (the configured `alerts.imbalanceThreshold`, as `GET /v1/workers` judges it).
 */
export function workerBalance(
  workers: readonly Pick<WorkerLoad, 'id' | 'active'>[],
  threshold: number = ALERT_DEFAULTS.imbalanceThreshold,
): WorkerBalance {
  const lb = new LoadBalancer({ workers: workers.map((w) => w.id) });
  for (const w of workers) lb.setExternalLoad(w.id, w.active);
  return { balanced: lb.isBalanced(threshold), threshold, balanceScore: lb.balanceScore() };
}

/**
 * Worker load (see {@link workerLoad}) and every node: the registered ones with their heartbeat
 * and load, and owners of unfinished executions. The balance is judged at `threshold`. Outside
 * cluster mode the configured workers are listed too: those the live nodes' heartbeats advertise
 * (their balancers' workers, in order), or `fallback` when no live node advertises any (none
 * registered, or of an earlier release): the `workers` of the config file `--config` names, else
 * the default ones.
 */
export async function workersReport(
  client: StoreClient,
  now = Date.now(),
  threshold: number = ALERT_DEFAULTS.imbalanceThreshold,
  fallback: readonly string[] = DEFAULTS.workers,
): Promise<WorkersReport> {
  const registry = await client.store.listNodes();
  const held = await client.records([...UNFINISHED_STATES], SCAN_LIMIT);

  const nodes = new Map<string, NodeLoad>();
  const blank = (id: string): NodeLoad => ({
    id,
    state: 'alive',
    lastHeartbeat: null,
    startedAt: null,
    running: null,
    queued: null,
    capacity: null,
    leaseSeconds: DEFAULTS.leaseSeconds,
    executions: 0,
    leaseUntil: null,
    registered: false,
  });
  for (const n of registry) {
    const lease = n.info.leaseSeconds;
    nodes.set(n.id, {
      ...blank(n.id),
      lastHeartbeat: n.lastHeartbeat,
      startedAt: n.startedAt,
      running: n.running,
      queued: n.queued,
      capacity: n.capacity,
      leaseSeconds: typeof lease === 'number' && lease > 0 ? lease : DEFAULTS.leaseSeconds,
      registered: true,
    });
  }
  for (const r of held) {
    if (!r.owner) continue;
    const node = nodes.get(r.owner) ?? blank(r.owner);
    node.executions++;
    node.leaseUntil = Math.max(node.leaseUntil ?? 0, r.leaseUntil ?? 0) || null;
    nodes.set(r.owner, node);
  }
  for (const node of nodes.values()) {
    const fresh =
      node.lastHeartbeat !== null
        ? now - node.lastHeartbeat <= node.leaseSeconds * 1000
        : node.leaseUntil !== null && node.leaseUntil > now;
    // Known dead at once: a process of this pid space, or (SQLite) one whose node lock is free.
    node.state = ownerKnownDead(node.id, client.store) ? 'dead' : fresh ? 'alive' : 'stale';
  }
  // In cluster mode the balancer's workers are the live nodes that take placements, idle ones
  // too, each with the load the balancers give it: the unfinished executions it holds, queued
  // ones too (see `cluster-view.ts`), not only those running under its id.
  const cluster = isCluster(client, registry);
  const placing = new Set<string>();
  if (cluster) {
    for (const n of registry) {
      const node = nodes.get(n.id);
      if (node?.state === 'alive' && n.info.cluster !== false && n.info.draining !== true) placing.add(n.id);
    }
  }
  const workers = workerLoad(
    held,
    cluster ? [] : configuredWorkers(client.store, registry, now, fallback),
    placing,
  );
  const byId = new Map(workers.map((w) => [w.id, w]));
  for (const id of placing) {
    const executions = nodes.get(id)?.executions ?? 0;
    const seen = byId.get(id);
    if (seen) Object.assign(seen, { source: 'node', active: executions });
    else workers.push({ id, active: executions, configured: false, source: 'node' });
  }
  const sorted = [...nodes.values()].sort(
    (a, b) =>
      (a.startedAt ?? Number.POSITIVE_INFINITY) - (b.startedAt ?? Number.POSITIVE_INFINITY) ||
      byCodeUnits(a.id, b.id),
  );
  // A stale or dead node's registrations went with its process: only live nodes' workers serve.
  const infoOf = new Map(registry.map((n) => [n.id, n.info]));
  const remoteWorkers = sorted.flatMap((node) => {
    const info = infoOf.get(node.id);
    const ads = node.state === 'alive' && info ? readAdvertisedRemoteWorkers(info) : null;
    return ads === null || ads.count === 0 ? [] : [{ node: node.id, ...ads }];
  });
  return {
    workers,
    loadDistribution: Object.fromEntries(workers.map((w) => [w.id, w.active])),
    ...workerBalance(workers, threshold),
    nodes: sorted,
    remoteWorkers,
  };
}
