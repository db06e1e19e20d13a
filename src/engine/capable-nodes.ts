/**
 * Placement by capability: each node advertises in its heartbeat the action and compensation
 * handlers it has (`info.handlers`), and a new execution is placed on the least-loaded live node
 * that has every handler its workflow names — not on one that would only let it go again (see
 * `unrunnable.ts`), nor run it locally to fail with ACTION_NOT_FOUND. When no live node has them
 * all, the node that took the submission runs it and its step fails with ACTION_NOT_FOUND, as on a
 * single node. A node that advertises no handlers (an earlier version) counts as having them all,
 * but is chosen only when no node known to have them will do (see `placementTarget`).
 *
 * Likewise by definition format (`definition/format.ts`): during a rolling upgrade, a version that
 * uses what an older release does not know is not placed on a node of that release, which would
 * only release it again (one more hop, and more if it were placed on older nodes again). A node
 * whose heartbeat does not say which format it reads (an earlier release) reads format 1.
 * @module
 */

import { DEFAULT_BALANCE_THRESHOLD } from '../balancing/load-balancer.js';
import { formatOf } from '../definition/format.js';
import { DEFINITION_FORMAT } from '../definition/format-levels.js';
import type { Plan } from '../definition/types.js';
import type { NodeRecord } from '../store/store.js';
import { BUILTIN_ACTION_NAMES } from './action-registry.js';
import { type EngineContext, leaseMs } from './context.js';
import { missingHandlers, missingIn } from './unrunnable.js';

/** What a node's heartbeat says it has (`info.handlers`). */
export interface AdvertisedHandlers {
  actions: string[];
  compensations: string[];
}

interface Handlers {
  actions: ReadonlySet<string>;
  compensations: ReadonlySet<string>;
}

/** This node's handlers, for its heartbeat (built-in actions left out: every node has them). */
export function advertisedHandlers(ctx: EngineContext): AdvertisedHandlers {
  return {
    actions: ctx.actions.list().filter((name) => !BUILTIN_ACTION_NAMES.has(name)),
    compensations: ctx.errorRecovery.listCompensations(),
  };
}

function names(value: unknown): ReadonlySet<string> | null {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return null;
  return new Set(value);
}

/** Reads `info.handlers` of a heartbeat; null when absent or malformed (counted as having all). */
function parseHandlers(info: Record<string, unknown>): Handlers | null {
  const h = info.handlers;
  if (h === null || typeof h !== 'object') return null;
  const actions = names((h as Record<string, unknown>).actions);
  const compensations = names((h as Record<string, unknown>).compensations);
  return actions && compensations ? { actions, compensations } : null;
}

function hasAll(handlers: Handlers, plan: Plan): boolean {
  const lookup = {
    action: (name: string) => BUILTIN_ACTION_NAMES.has(name) || handlers.actions.has(name),
    compensation: (name: string) => handlers.compensations.has(name),
  };
  return missingIn(plan, true, lookup).length === 0;
}

/**
 * The handlers the other live nodes advertise, and the definition format each reads, as the latest
 * cluster refresh read them.
 */
export class NodeHandlers {
  private byNode = new Map<string, Handlers>();
  /** Nodes that advertise no handlers (a release from before they did; see {@link isSilent}). */
  private silent = new Set<string>();
  /** The definition format of each node that reads an older one than this node. */
  private formats = new Map<string, number>();
  private generation = 0;
  private readonly lackingCache = new WeakMap<Plan, { generation: number; nodes: ReadonlySet<string> }>();

  /** From a cluster refresh: the live nodes' heartbeats. */
  update(nodes: readonly NodeRecord[]): void {
    const byNode = new Map<string, Handlers>();
    const formats = new Map<string, number>();
    const silent = new Set<string>();
    for (const n of nodes) {
      const h = parseHandlers(n.info);
      if (h) byNode.set(n.id, h);
      else silent.add(n.id);
      // Only the nodes a version this node reads can be too new for (none but during an upgrade).
      const format = formatOf(n.info);
      if (format < DEFINITION_FORMAT) formats.set(n.id, format);
    }
    this.byNode = byNode;
    this.silent = silent;
    this.formats = formats;
    this.generation++;
  }

  /**
   * Whether `node` advertises no handlers: a release from before nodes did, which may lack one a
   * workflow needs and then fails its step with ACTION_NOT_FOUND (it does not let it go either).
   * Placement prefers a node known to have them all.
   */
  isSilent(node: string): boolean {
    return this.silent.size > 0 && this.silent.has(node);
  }

  /**
   * Other nodes known to lack a handler `plan` names, or to read an older definition format than
   * it needs (cached until the next refresh).
   */
  lacking(plan: Plan): ReadonlySet<string> {
    const cached = this.lackingCache.get(plan);
    if (cached?.generation === this.generation) return cached.nodes;
    const nodes = new Set<string>();
    for (const [id, h] of this.byNode) if (!hasAll(h, plan)) nodes.add(id);
    for (const [id, level] of this.formats) if (level < plan.format) nodes.add(id);
    this.lackingCache.set(plan, { generation: this.generation, nodes });
    return nodes;
  }
}

/**
 * The node a new execution of `plan` is placed on: the least-loaded live node that has every
 * handler it names (this node judged by its registries as they are now) and reads its definition
 * format (this node does: it has the plan). When no live node has them all, this node: it runs the
 * execution and the step fails with ACTION_NOT_FOUND, as on a single node (SPEC §4) — not placed
 * on another node that would only let it go, to wait unowned. Nor on a node whose last heartbeat
 * this node read leaves it too little of a lease to renew an execution placed there (see
 * `renewsTooLate`): this node then.
 *
 * Unless this node can start it at once (`slotFreeHere`: a free slot, nobody queued) and, with it,
 * both this node and the least-loaded node it would go to are balanced as `isBalanced()` judges by
 * default: their loads within {@link DEFAULT_BALANCE_THRESHOLD} of the live nodes' mean load, or
 * within `alerts.imbalanceThreshold` when that is lower (what `/v1/workers` and the load_imbalance
 * alert call balanced). So at small loads placement stays least-loaded first, and a node far below
 * the mean — one that just joined — still catches up. Then it stays here. A hand-over costs the
 * other node a wake-up and a read of the execution, and the other nodes' loads are as old as the
 * last read of them: with submissions spread over the nodes, strict least-loaded placement sent
 * over a third of them elsewhere for differences of a few executions (docs/scaling.md, Placement
 * and balancing).
 */
export function placementTarget(ctx: EngineContext, plan: Plan, slotFreeHere = false): string {
  const lb = ctx.loadBalancer;
  const others = ctx.nodeHandlers.lacking(plan);
  // (A new execution needs no compensation handler here when this node runs none: see `missingFor`.)
  const selfLacks = missingHandlers(ctx, plan, true, ctx.config.enableCompensation).length > 0;
  const now = ctx.clock.now();
  const late = (id: string) => id !== ctx.nodeId && renewsTooLate(ctx, id, now);
  const lacks = (id: string) => (id === ctx.nodeId ? selfLacks : others.has(id) || late(id));
  // The least-loaded node, when it will do (the common case): no second pass over the nodes.
  let target = lb.pickWorker();
  // A node that advertises no handlers (an earlier release) only when no node known to have them
  // all will do: during a rolling deploy that adds an action, one failed its step. That holds
  // whether the least-loaded node is silent or lacks a handler.
  const silent = (id: string) => ctx.nodeHandlers.isSilent(id);
  if (lacks(target) || silent(target)) {
    const known = lb.pickWorker((id) => lacks(id) || silent(id));
    if (!lacks(known) && !silent(known)) target = known;
    else if (lacks(target)) {
      const picked = lb.pickWorker(lacks);
      target = lacks(picked) ? ctx.nodeId : picked;
    }
  }
  // Its slots all taken (nodes with other `maxConcurrentWorkflows`): the node with the most room —
  // among the nodes known to have the handlers, unless the target is not one (none is).
  if (!lacks(target) && freeSlots(ctx, target) <= 0) {
    const unfit = silent(target) ? lacks : (id: string) => lacks(id) || silent(id);
    target = roomiest(ctx, target, unfit);
  }
  if (target === ctx.nodeId || !slotFreeHere || selfLacks) return target;
  // Loads with the new execution counted here. Both this node and the target must be within the
  // threshold of the mean: with a third node far above it (long-running executions, or orphans it
  // took over), this node alone would stay within it for many executions while an idle node, far
  // below it, got none.
  // Never looser than what this node reports as balanced (`/v1/workers`, the load_imbalance alert).
  const threshold = Math.min(DEFAULT_BALANCE_THRESHOLD, ctx.config.alerts.imbalanceThreshold);
  const mean = (lb.activeCount() + 1) / lb.workerCount;
  const allowed = threshold * mean + 1e-9;
  const balanced = lb.getLoad(ctx.nodeId) + 1 - mean <= allowed && mean - lb.getLoad(target) <= allowed;
  return balanced ? ctx.nodeId : target;
}

/**
 * A node's slots (`maxConcurrentWorkflows`, as its heartbeat says) less its load; this node's own
 * from its config. A node whose heartbeat this node has not read counts as having this node's.
 */
export function freeSlots(ctx: EngineContext, node: string): number {
  return capacityOf(ctx, node) - ctx.loadBalancer.getLoad(node);
}

export function capacityOf(ctx: EngineContext, node: string): number {
  const own = ctx.config.maxConcurrentWorkflows;
  if (node === ctx.nodeId) return own;
  const capacity = ctx.heartbeats.get(node)?.capacity;
  return typeof capacity === 'number' && capacity > 0 ? capacity : own;
}

/**
 * The capable node that would be least full with one more execution (its load plus one over its
 * slots), `full` itself if none is less full. Placement by count alone gave a node of 1 slot as
 * many executions as nodes of 10, which it ran one at a time while their slots sat idle.
 */
function roomiest(ctx: EngineContext, full: string, lacks: (id: string) => boolean): string {
  const lb = ctx.loadBalancer;
  const share = (id: string) => (lb.getLoad(id) + 1) / capacityOf(ctx, id);
  let best = full;
  let bestShare = share(full);
  for (const id of lb.getWorkers()) {
    if (id === full || lacks(id)) continue;
    const s = share(id);
    if (s < bestShare) {
      best = id;
      bestShare = s;
    }
  }
  return best;
}

/**
 * Whether an execution placed on `node` now would get a lease (a lease after its last heartbeat this
 * node read: see `placedLeaseUntil`) ending within the third of a lease between its renewals, or
 * ended already. Seen when this node's view is old (it stalled: a GC pause, SIGSTOP, a starved
 * process): the node may be alive and well, but it could not renew that lease in time, and the
 * next claim (this node's own round, first of all) would take the execution from under it, a step
 * it started run twice.
 */
export function renewsTooLate(ctx: EngineContext, node: string, now: number): boolean {
  const heartbeat = ctx.heartbeats.get(node);
  if (heartbeat === undefined) return false;
  const lease = heartbeat.leaseMs ?? leaseMs(ctx);
  return heartbeat.at + lease - now < lease / 3;
}
