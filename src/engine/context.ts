/**
 * What the runner, the scheduler and the engine facade share: the store, the clock, the
 * components and the event emitter. Built once by `createOrchestrator`.
 * @module
 */

import type { LoadBalancer } from '../balancing/load-balancer.js';
import type { Clock } from '../clock.js';
import type { CompiledConfig, Logger } from '../config.js';
import { OrchestratorError } from '../errors.js';
import type { TypedEmitter } from '../events.js';
import type { AlertMonitor } from '../monitoring/alerts.js';
import type { Metrics } from '../monitoring/metrics.js';
import type { PerformanceOptimizer } from '../performance/performance-optimizer.js';
import type { ErrorRecovery } from '../recovery/error-recovery.js';
import type { Store } from '../store/store.js';
import type { ActionRegistry } from './action-registry.js';
import type { ActiveExecution } from './active-execution.js';
import type { NodeHandlers } from './capable-nodes.js';
import type { ClockAlignment } from './clock-alignment.js';
import type { HeartbeatExtras } from './heartbeat-extras.js';
import type { OwedWrites } from './persist.js';

/**
 * This node's hold on its leases, kept by the lease keeper. A node that was stalled (SIGSTOP, a
 * long GC pause, a blocked event loop) past its lease may have lost executions to other nodes:
 * before it starts another handler it renews and checks them, so it does not start work it no
 * longer owns (its writes would be refused by the epoch fence anyway, but the handler's side
 * effects would not).
 */
export interface LeaseGuard {
  /**
   * Until when (epoch ms) every lease this node holds is known to be valid: a lease after its last
   * renewal, or earlier, the lease of an execution another node placed here (see `Adoption`).
   */
  validUntil: number;
  /** Renews this node's leases and stops the executions it lost; resolves when that is done. */
  verify(): Promise<void>;
}

export interface EngineContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: CompiledConfig;
  readonly nodeId: string;
  /** Cluster mode: nodes are the balancer's workers and executions are placed across nodes. */
  readonly cluster: boolean;
  /**
   * Executions being created to run on this node (not yet handed to the scheduler), by id: the
   * store's create, in flight. A shutdown waits for them before it releases its leases.
   */
  readonly creating: Map<string, Promise<unknown>>;
  /** Cluster mode: executions this node is placing, by target node, whose create is in flight. */
  readonly placing: Map<string, number>;
  /**
   * Cluster mode: the last heartbeat of each live node, the lease length it runs with (its
   * `leaseSeconds`, in ms; absent when its heartbeat does not say) and its slots (its
   * `maxConcurrentWorkflows`), as the latest refresh read them.
   */
  readonly heartbeats: Map<string, { at: number; leaseMs: number | undefined; capacity: number }>;
  /** Cluster mode: the handlers each live node advertises, as the latest refresh read them. */
  readonly nodeHandlers: NodeHandlers;
  readonly actions: ActionRegistry;
  readonly errorRecovery: ErrorRecovery;
  readonly loadBalancer: LoadBalancer;
  readonly optimizer: PerformanceOptimizer;
  readonly metrics: Metrics;
  readonly alerts: AlertMonitor;
  readonly events: TypedEmitter;
  readonly logger: Logger;
  /** Set by `close()`: runners start no new step and leave the execution to recovery. */
  readonly lifecycle: { draining: boolean };
  /** Executions owing a background write (see `persistLater`). */
  readonly owedWrites: OwedWrites;
  /** Lease validity (set up by the lease keeper; always valid without a durable store). */
  readonly leases: LeaseGuard;
  /** Entries others add to this node's heartbeat `info` (see `heartbeat-extras.ts`). */
  readonly heartbeatExtras: HeartbeatExtras;
  /** Cluster mode on a store that reads its clock: keeps `clock` on the database's time. */
  readonly clockAlignment?: ClockAlignment;
}

/**
 * A lease's length in whole milliseconds (`leaseSeconds` may be fractional; lease ends are stored
 * as integers, PostgreSQL's `bigint`).
 */
export function leaseMs(ctx: EngineContext): number {
  return Math.ceil(ctx.config.leaseSeconds * 1000);
}

/**
 * Whether what has not started yet (a step, a compensation, a retry) is left to the next start:
 * `close()` was called and the store is durable, so the next start resumes it from the store. On
 * the memory store nothing would resume it, so it goes on within the grace.
 */
export function leftToRestart(ctx: EngineContext): boolean {
  return ctx.lifecycle.draining && ctx.store.durable;
}

/**
 * Whether the lease of `ex` may have lapsed: this node went a whole lease without renewing, or
 * (durable store) the last renewals left its row out (locked by another session) and the lease this
 * node last stored for it ran out. Runners check it before they start a handler, and `verify` the
 * leases first when it is true. `now`: the clock's time, when the caller has just read it.
 */
export function leaseLapsed(ctx: EngineContext, ex: ActiveExecution, now = ctx.clock.now()): boolean {
  if (now > ctx.leases.validUntil) return true;
  const until = ex.record.leaseUntil;
  return until !== null && now > until && ctx.store.durable;
}

/**
 * Before a handler (or compensation) of `ex` starts: when its lease may have lapsed, renews this
 * node's leases first (`verify`), which stops `ex` if another node took it (its runner then sees
 * it halted). If it still may have — the renewal failed, e.g. the store is unreachable, or left
 * its row out again — another node may run the execution by now: throws, so that its runner gives
 * it up as after a failed write (`abandoned`), and this node takes it up again when the store
 * answers, unless another node has it by then.
 */
export async function confirmLease(ctx: EngineContext, ex: ActiveExecution): Promise<void> {
  if (!leaseLapsed(ctx, ex)) return;
  await ctx.leases.verify();
  if (ex.halted || !leaseLapsed(ctx, ex)) return;
  throw new OrchestratorError(
    'STORE_UNAVAILABLE',
    ctx.clock.now() > ctx.leases.validUntil
      ? 'Could not renew the leases of this node; the step does not start on a lease it may have lost'
      : `Could not renew the lease of execution '${ex.id}' (its row is locked by another session); the step does not start on a lease it may have lost`,
  );
}
