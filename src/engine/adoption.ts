/**
 * Runs here, once, an execution that came to this node from the store (claimed, taken up again,
 * or placed here by another node: see `takeover.ts`), unless it runs here already or finished; or
 * lets it go (its lease released) when this node cannot run it: no stored definition it can read,
 * a handler missing (claims then skip its workflow version, see `unrunnable.ts`), or no worker.
 * For a cancel of an execution no node holds, it also tells whether this node could run it.
 * @module
 */
import { UNFINISHED_STATES } from '../store/states.js';
import type { ExecutionRecord, ExecutionSnapshot } from '../store/store.js';
import { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';
import type { DefinitionRegistry } from './definitions.js';
import { ownerKnownDead } from './owners.js';
import type { Scheduler } from './scheduler.js';
import { missingFor, UnrunnableVersions } from './unrunnable.js';

/**
 * How an execution came to this node: claimed (from another owner, none, or an earlier process of
 * this node), taken up again (`retaken`: its runner in this process gave it up after a store
 * failure), or placed here by another node.
 */
export type AdoptedHow = 'claimed' | 'retaken' | 'placed';

/**
 * Whether this node has no worker to run executions on: every worker was removed from its
 * balancer (outside cluster mode, where the workers are the live nodes).
 */
export function workerless(ctx: EngineContext): boolean {
  return !ctx.cluster && ctx.loadBalancer.workerCount === 0;
}

export class Adoption {
  /**
   * Unfinished executions this node's id held when it started, not taken over again yet, as they
   * were read then: counted as this node's from the start (see `recover`).
   */
  readonly heldAtStart = new Map<string, ExecutionRecord>();
  /** Workflow versions this node lacks handlers for: its claims skip their executions. */
  readonly unrunnable: UnrunnableVersions;
  /** Executions taken here that this node lacks handlers for, whose lease it has yet to release. */
  private readonly toRelease = new Set<string>();
  /**
   * Executions an `adopt` is reading or setting up, not yet in the scheduler, with the newest claim
   * of each (another claim of this node may take one again meanwhile: its runner needs that epoch).
   */
  private readonly adopting = new Map<string, ExecutionRecord>();
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;
  private readonly definitions: DefinitionRegistry;

  constructor(ctx: EngineContext, scheduler: Scheduler, definitions: DefinitionRegistry) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.definitions = definitions;
    this.unrunnable = new UnrunnableVersions(ctx);
  }

  /** Whether some execution taken here waits for its lease to be released. */
  get releasePending(): boolean {
    return this.toRelease.size > 0;
  }

  /**
   * For a cancel of an execution this node does not hold: whether this node lacks the handlers its
   * cancellation needs (the compensations, or also the actions when it is not to compensate) while
   * no other live node holds it. False when another node holds it (that node applies the request).
   */
  async cannotRun(id: string): Promise<boolean> {
    const { ctx } = this;
    if (this.scheduler.get(id)) return false;
    const snapshot = await ctx.store.getExecution(id);
    if (!snapshot) return false;
    const r = snapshot.execution;
    if (!UNFINISHED_STATES.has(r.status)) return false;
    const held =
      r.owner !== null &&
      r.owner !== ctx.nodeId &&
      r.leaseUntil !== null &&
      r.leaseUntil >= ctx.clock.now() &&
      !ownerKnownDead(r.owner, ctx.store);
    if (held) return false;
    if (workerless(ctx)) return true;
    const entry = await this.definitions.version(r.workflowId, r.workflowVersion);
    return !entry?.plan || missingFor(ctx, entry.plan, r).length > 0;
  }

  /** Releases the leases of executions taken here that this node lacks handlers for. */
  async releaseUnrunnable(): Promise<void> {
    if (this.toRelease.size === 0) return;
    const ids = [...this.toRelease];
    await this.ctx.store.releaseLeases(this.ctx.nodeId, ids);
    for (const id of ids) this.toRelease.delete(id);
  }

  /**
   * Runs the executions this node just claimed. If the store fails first, the ones not started
   * yet are kept to be taken up again (see `Scheduler.notStarted`) and the error is thrown.
   */
  async adoptClaimed(
    claimed: readonly ExecutionRecord[],
    givenUp: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    for (let i = 0; i < claimed.length; i++) {
      try {
        const record = claimed[i]!;
        await this.adopt(record, undefined, givenUp.has(record.id) ? 'retaken' : 'claimed');
      } catch (error) {
        for (const record of claimed.slice(i)) this.scheduler.notStarted.add(record.id);
        throw error;
      }
    }
  }

  /**
   * Runs a stored execution here, unless it runs here already or has finished. `how` it came to
   * this node: claimed (from another owner, none, or an earlier process of this node), taken up
   * again (`retaken`: its runner in this process gave it up after a store failure), or placed here
   * by another node.
   */
  async adopt(
    record: ExecutionRecord,
    known?: ExecutionSnapshot,
    how: AdoptedHow = 'claimed',
  ): Promise<void> {
    // A cancel's claim and a round adopting what this node owns may take up the same execution at
    // once, each reading it unfinished before either runs it: only the first one runs it (two
    // would run it twice and end it twice).
    const held = this.scheduler.get(record.id);
    if (held) {
      // Claimed from under its own runner (its lease ran out here unrenewed): see `reclaimed`.
      if (how !== 'placed' && record.epoch > held.record.epoch) this.scheduler.reclaimed.add(record.id);
      return;
    }
    const adopting = this.adopting.get(record.id);
    if (adopting) {
      // Run under the newer claim: under the older epoch its first write is refused, and as this
      // node renews the newer lease, no node would ever run it again.
      if (record.epoch > adopting.epoch) this.adopting.set(record.id, record);
      return;
    }
    this.adopting.set(record.id, record);
    try {
      await this.adoptOnce(record, known, how);
    } finally {
      this.adopting.delete(record.id);
    }
  }

  private async adoptOnce(
    record: ExecutionRecord,
    known: ExecutionSnapshot | undefined,
    how: AdoptedHow,
  ): Promise<void> {
    const { ctx } = this;
    const snapshot = known ?? (await ctx.store.getExecution(record.id));
    // Its runs given up after a store failure in a row so far: the run started here carries them
    // on (see `RetakeBackoff`).
    const storeFailures = this.scheduler.retakeBackoff.failuresBefore(record.id);
    if (!snapshot || !UNFINISHED_STATES.has(snapshot.execution.status)) return;
    // One given up after a store failure leaves this node's counts as it was counted then, to be
    // counted again below as stored (what its runner starts from).
    const given = this.scheduler.abandoned.get(record.id);
    if (given) {
      this.scheduler.abandoned.delete(record.id);
      ctx.metrics.disown(given);
    }
    const entry = await this.definitions.version(record.workflowId, record.workflowVersion);
    // Counted here already: held under a configured node id when this node started.
    const counted = this.heldAtStart.delete(record.id);
    // No definition of its version in the store (no node can run it), or one a newer release
    // defined that this one cannot read (nodes of that release run it): let go like one lacking
    // handlers, not held with its lease renewed for as long as this node lives.
    if (!entry?.plan) {
      if (this.unrunnable.add(record.workflowId, record.workflowVersion, null, entry === undefined)) {
        ctx.logger.error(
          { executionId: record.id, workflowId: record.workflowId, version: record.workflowVersion },
          entry?.problem ??
            'no stored definition of this workflow version; its executions are left in the store, unowned',
        );
      }
      this.toRelease.add(record.id);
      if (counted) ctx.metrics.disown(snapshot.execution);
      return;
    }
    // A process without every handler the workflow needs (a CLI `run` of another workflow on the
    // same store, a node deployed with fewer handlers) leaves it alone rather than fail it with
    // ACTION_NOT_FOUND: it releases the lease (the caller does, in one write per batch), so a node
    // that has the handlers claims it, and skips the version in its claims while they are missing.
    // One that will only compensate (cancel requested, or compensating) needs no action handlers.
    const missing = missingFor(ctx, entry.plan, snapshot.execution);
    if (missing.length > 0) {
      if (this.unrunnable.add(record.workflowId, record.workflowVersion, entry.plan)) {
        ctx.logger.warn(
          { executionId: record.id, workflowId: record.workflowId, version: record.workflowVersion, missing },
          'no handler here for what this workflow version needs; its executions are left to nodes that have them',
        );
      }
      this.toRelease.add(record.id);
      // Released: counted among the other processes' executions from now on.
      if (counted) ctx.metrics.disown(snapshot.execution);
      return;
    }
    // Every worker was removed from this node's balancer (outside cluster mode): it cannot start
    // the execution (NoWorkersError), so it lets it go like one it lacks handlers for.
    if (workerless(ctx)) {
      ctx.logger.warn(
        { executionId: record.id, workflowId: record.workflowId },
        'no worker registered with the load balancer; the execution is left to nodes that have one',
      );
      this.toRelease.add(record.id);
      if (counted) ctx.metrics.disown(snapshot.execution);
      return;
    }
    // This node's from now on: a claimed one leaves the others' counts; one placed here was
    // counted by no node yet.
    if (!counted) ctx.metrics.adopt(snapshot.execution, how !== 'placed');
    const claim = this.adopting.get(record.id) ?? record;
    // One placed here by another node leases until a lease after this node's last heartbeat as
    // that node read it, which may end before this node's last renewal does: its leases are known
    // valid until then only (past it, the next round renews before it claims, and runners confirm
    // their leases before they start a handler), else a round would claim it as an orphan, from
    // under its runner here, or another node would, while this node ran on.
    if (claim.leaseUntil !== null && claim.leaseUntil < ctx.leases.validUntil) {
      ctx.leases.validUntil = claim.leaseUntil;
    }
    const ex = new ActiveExecution(
      { ...snapshot.execution, epoch: claim.epoch, owner: claim.owner, leaseUntil: claim.leaseUntil },
      snapshot.steps,
      entry.plan,
      true,
    );
    // Placed here by the node that created it: it never ran. Claimed (also one placed here and
    // claimed again meanwhile): it may have been running.
    ex.storeStartsFirst = how !== 'placed' || claim !== record;
    ex.retaken = how === 'retaken';
    ex.storeFailures = storeFailures;
    // Runs now: no longer one to take up again. A runner here that this node's claim took it from
    // (see `Scheduler.reclaimed`) left it so when it stopped; a later round's retake would claim it
    // from under the runner this claim starts.
    this.scheduler.notStarted.delete(record.id);
    this.scheduler.submit(ex);
  }
}
