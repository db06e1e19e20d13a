/**
 * Cancellation: of an execution this node holds (a queued one ends at once; a running one is
 * stopped, compensated where needed, and ends `cancelled`), or of one held elsewhere (a cancel
 * request in the store, applied by its owner; an orphan is taken over here first).
 * @module
 */
import { type ErrorInfo, LeaseLostError, toError } from '../errors.js';
import { CANCELLABLE_STATES, UNFINISHED_STATES } from '../store/states.js';
import type { ExecutionRecord } from '../store/store.js';
import type { ActiveExecution } from './active-execution.js';
import { pendingCompensations } from './compensation.js';
import { type EngineContext, leaseMs } from './context.js';
import { checkExecutionId } from './execution-id-arg.js';
import { POLL_MS } from './execution-queries.js';
import { endQueued, expiredBeforeStart, queuedTimeoutError } from './queued-end.js';
import { markResumedStepTimeout } from './resumed-step-timeout.js';
import type { Scheduler } from './scheduler.js';

export class Cancellation {
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;
  private readonly assertOpen: () => void;
  /** Claims an orphaned execution by id so this node can cancel it (set by the orchestrator). */
  claimOrphan: (id: string) => Promise<unknown> = async () => 0;
  /**
   * Whether this node lacks the handlers the cancellation of an execution needs, while no other
   * node holds it (set by the orchestrator).
   */
  cannotRun: (id: string) => Promise<boolean> = async () => false;
  /**
   * Queued executions being ended here (their end is being stored), by id: true when cancelled.
   * A second cancel meanwhile answers as the first does, rather than false for an execution it no
   * longer finds queued.
   */
  private readonly endingQueued = new Map<string, Promise<boolean>>();

  constructor(ctx: EngineContext, scheduler: Scheduler, assertOpen: () => void) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.assertOpen = assertOpen;
  }

  /** Cancels a pending or running execution (compensating first where needed). */
  async cancel(executionId: string): Promise<boolean> {
    // A closed orchestrator cannot run the cancellation (or its compensation) any more.
    this.assertOpen();
    checkExecutionId(executionId, 'cancelWorkflow');
    const ending = this.endingQueued.get(executionId);
    if (ending) return ending;
    const ex = this.scheduler.get(executionId);
    if (!ex) return this.cancelStored(executionId, false);
    const from = ex.record.status;
    // Compensating for an earlier cancel (a repeated request, a second caller): its saga is waited
    // for, as the first call waits, and the answer is how it ended (as the CLI's `cancel` answers).
    if (beingCancelled(ex.record)) return this.awaitCancelling(ex);
    const cancelled = await this.cancelLocal(ex);
    // Its runner let it go unfinished before it could end it: given up after a store failure (a
    // write, or the confirmation of leases that may have lapsed), taken over by another node, or
    // halted by a shutdown. The cancel is stored as a request, applied by whichever node runs the
    // execution next (this one, taking it up again); a store that cannot take it fails the call.
    if (cancelled || !CANCELLABLE_STATES.has(from) || !UNFINISHED_STATES.has(ex.record.status)) {
      return cancelled;
    }
    return this.cancelStored(executionId, true);
  }

  /**
   * Waits for `ex`, compensating for an earlier cancel, to end: true once it ended cancelled. A
   * resumed one still waiting for a slot starts now (its runner only compensates). Let go
   * unfinished by its runner (a shutdown, a store failure, another node took it over): waited for
   * through the store as any execution this node does not hold.
   */
  private async awaitCancelling(ex: ActiveExecution): Promise<boolean> {
    this.windDown(ex);
    await ex.done;
    if (ex.record.status === 'cancelled') return true;
    return UNFINISHED_STATES.has(ex.record.status) ? this.cancelStored(ex.id, true) : false;
  }

  /**
   * Cancels an execution this node does not hold (any more) through a request in the store, and
   * answers once it has ended. `begun`: this call stopped it here, and its runner let it go
   * unfinished — compensating for this cancel, possibly, which is then waited for too.
   */
  private async cancelStored(executionId: string, begun: boolean): Promise<boolean> {
    const rec = await this.ctx.store.requestCancel(executionId);
    if (!rec) return false;
    // Its owner, another live node, applies it at its next round: told to run that round now.
    const unfinished = UNFINISHED_STATES.has(rec.status);
    if (unfinished && rec.owner !== null && rec.owner !== this.ctx.nodeId && this.ctx.store.notifyCancel) {
      const owner = rec.owner;
      this.ctx.store.notifyCancel(owner).catch((error: unknown) => {
        this.ctx.logger.debug({ owner, err: toError(error) }, 'could not tell the owner of a cancel request');
      });
    }
    // Halted here by a close: stored for whoever runs it next (this node's next start); the store
    // is being closed, and nothing here waits for the end any more.
    if (begun && this.ctx.lifecycle.draining) return false;
    // Compensating for a cancel (this call's, or an earlier one's): waited for to end cancelled.
    if (!CANCELLABLE_STATES.has(rec.status) && !beingCancelled(rec)) return false;
    // Nobody alive runs it: take it over here and cancel it.
    await this.claimOrphan(executionId);
    // Nobody holds it and this node lacks the handlers its cancellation needs: not cancelled now.
    // The request stays stored, and a process that has them applies it.
    if (await this.cannotRun(executionId)) return false;
    const claimed = this.scheduler.get(executionId);
    if (claimed) {
      const answer = await this.cancelTakenOver(claimed);
      if (answer !== null) return answer;
    }
    // An in-memory store has no other node that could apply the request.
    if (!this.ctx.store.durable) return false;
    // Another node owns it and applies the request on its next sweep (then compensates, which
    // may take longer than a lease); if it dies meanwhile, its lease expires and the execution is
    // claimed here to be cancelled. A live owner (it renews its lease) sweeps several times a
    // lease, so one that shows no progress (not compensating) for a whole lease does not apply the
    // request (a node of an earlier version, which held executions it lacked handlers for). The
    // answer is then false; the request stays stored for whoever runs it next. An owner that does
    // not renew may be dead: the wait goes on until its lease runs out.
    const lease = leaseMs(this.ctx);
    let deadline = this.ctx.clock.now() + lease;
    let seenLease: number | null | undefined;
    let renewed = false;
    let ownSince: number | null = null;
    for (;;) {
      if (this.ctx.lifecycle.draining) return false;
      try {
        this.assertOpen();
      } catch {
        return false;
      }
      // This node's own round may have taken it over meanwhile (its runner applies the stored
      // request): its outcome is the answer, not the lease it now holds.
      const held = this.scheduler.get(executionId);
      if (held) {
        const answer = await this.cancelTakenOver(held);
        if (answer !== null) return answer;
      }
      const snap = await this.ctx.store.getExecution(executionId);
      if (!snap) return false;
      const r = snap.execution;
      if (r.status === 'cancelled') return true;
      if (r.status === 'completed' || r.status === 'failed') return false;
      const now = this.ctx.clock.now();
      // Claimed by this node's own round, whose adoption is still under way (the next turn finds
      // it held, above): its runner applies the stored request. Not another owner renewing: wait,
      // for at most a lease from when this node was first seen owning it.
      if (r.owner === this.ctx.nodeId) {
        ownSince ??= now;
        if (now - ownSince <= lease) {
          await this.ctx.clock.sleep(POLL_MS);
          continue;
        }
      } else ownSince = null;
      if (r.status === 'compensating') deadline = now + lease;
      if (seenLease !== undefined && r.leaseUntil !== seenLease) renewed = true;
      seenLease = r.leaseUntil;
      const ownerGone = r.owner === null || r.leaseUntil === null || r.leaseUntil < now;
      if (ownerGone) {
        // Take it over here (a claim fails when another node took it first: it applies the request).
        await this.claimOrphan(executionId);
        if (await this.cannotRun(executionId)) return false;
        const mine = this.scheduler.get(executionId);
        if (mine) {
          const answer = await this.cancelTakenOver(mine);
          if (answer !== null) return answer;
        }
        // Someone's claim got there first: another node, or this node's own round whose runner is
        // about to start it. Either applies the stored request: wait for it as for a live owner,
        // from now, rather than give up because the first owner's lease ran out.
        const taken = (await this.ctx.store.getExecution(executionId))?.execution;
        const at = this.ctx.clock.now();
        if (taken?.owner != null && taken.leaseUntil !== null && taken.leaseUntil >= at) {
          deadline = at + lease;
          seenLease = taken.leaseUntil;
          renewed = false;
        }
      }
      if ((ownerGone || renewed) && now > deadline) return false;
      await this.ctx.clock.sleep(POLL_MS);
    }
  }

  /**
   * Cancels an execution this node just took over, with the cancel request stored before the
   * claim: one that never started ends here as a queued one; else its runner applies the request
   * (it may be compensating already, or have ended). Null when its runner let it go unfinished
   * (a store failure, another node took it over): the request stays stored; the caller waits on.
   */
  private async cancelTakenOver(ex: ActiveExecution): Promise<boolean | null> {
    if (ex.record.status === 'pending') return this.cancelLocal(ex);
    ex.stop('cancel');
    this.windDown(ex);
    await ex.done;
    if (ex.record.status === 'cancelled') return true;
    return UNFINISHED_STATES.has(ex.record.status) ? null : false;
  }

  /**
   * Starts a resumed execution still waiting for a slot that must end (cancelled, past its
   * deadline): in the next free slot, ahead of the queue, when its runner has compensations to
   * run; at once, past the limit, when it only stores its end.
   */
  private windDown(ex: ActiveExecution, compensates = pendingCompensations(ex).length > 0): void {
    if (compensates) this.scheduler.prioritize(ex);
    else this.scheduler.expedite(ex);
  }

  /** Cancels an execution this node holds. */
  async cancelLocal(ex: ActiveExecution): Promise<boolean> {
    const status = ex.record.status;
    const now = this.ctx.clock.now();
    if (status === 'pending' && this.scheduler.dequeue(ex)) {
      // Its workflow's timeout passed while it waited, the queue's deadline timer not fired yet (a
      // stalled event loop runs due timers list by list): it timed out before this cancel came.
      const error = expiredBeforeStart(ex, now) ? queuedTimeoutError(ex) : null;
      await this.endQueuedHere(ex, error);
      return error === null;
    }
    if (!CANCELLABLE_STATES.has(status)) return false;
    // Already waiting for a wind-down lane (a cancel or its timeout came first; the cancel
    // requests housekeeping reads each round list it again until it ends): its end is waited for,
    // with no second stored request.
    if (!ex.started && this.scheduler.isWindingDown(ex)) {
      await ex.done;
      return ex.record.status === 'cancelled';
    }
    // Past the workflow's timeout though its timer has not fired (its runner's, see `armDeadline`;
    // for a resumed one still waiting for a slot, the queue's): stopped by it first, as the timer
    // would have (the cancel then changes nothing; see `AbortScope.expireIfLate`). Likewise past a
    // running step's or parallel step's timeout: it fails first, its execution with it unless it
    // retries (then the cancel stops it in its backoff).
    // A resumed one still waiting for a slot: likewise past its parallel step's timeout.
    if (ex.started) ex.scope.expireAllIfLate(now);
    else {
      markResumedStepTimeout(ex, now);
      if (ex.record.deadlineAt !== null && ex.record.deadlineAt <= now) ex.stop('timeout');
    }
    ex.stop('cancel');
    // A resumed execution waiting for a slot ran before: its runner ends it (compensating what
    // completed), now rather than when a slot frees. With compensations to run it may wait for a
    // lane (see `Scheduler.prioritize`): the cancel is stored first, so a crash meanwhile does not
    // lose it (it ran to completion after the restart). A store that fails that write does not
    // stop the cancel here: only its durability before the saga starts is lost.
    const compensates = pendingCompensations(ex).length > 0;
    if (!ex.started && compensates) {
      await this.ctx.store.requestCancel(ex.id).catch((error: unknown) => {
        this.ctx.logger.warn(
          { executionId: ex.id, err: toError(error) },
          'the cancel could not be stored before its compensations wait for a slot; it goes on here',
        );
      });
    }
    this.windDown(ex, compensates);
    await ex.done;
    return ex.record.status === 'cancelled';
  }

  /**
   * Ends queued executions whose workflow timeout passed before they got a slot. One that never
   * ran fails here (nothing to compensate); a resumed one, which ran before, is started at once
   * to time out in its runner, which compensates what completed (past its parallel step's timeout
   * instead, if that came first, the step fails with STEP_TIMEOUT there).
   */
  async expireQueued(): Promise<void> {
    for (const ex of this.scheduler.queuedPastDeadline(this.ctx.clock.now())) {
      // The deadline timer and housekeeping may both be at it: one ended it already.
      if (!this.scheduler.isQueued(ex)) continue;
      if (ex.record.status !== 'pending') {
        // Past its workflow's deadline, or its parallel step's timeout (see `resumedStepTimeoutAt`):
        // the earlier one ends it.
        const now = this.ctx.clock.now();
        markResumedStepTimeout(ex, now);
        if (ex.record.deadlineAt !== null && ex.record.deadlineAt <= now) ex.stop('timeout');
        this.windDown(ex);
        continue;
      }
      if (!this.scheduler.dequeue(ex)) continue;
      await this.endQueuedHere(ex, queuedTimeoutError(ex));
    }
  }

  /** Ends `ex`, just taken out of the queue: cancelled, or failed with `error`; see {@link endingQueued}. */
  private async endQueuedHere(ex: ActiveExecution, error: ErrorInfo | null): Promise<void> {
    const end = this.finishQueued(ex, error).finally(() => {
      this.endingQueued.delete(ex.id);
      ex.markDone();
    });
    const answer = end.then(() => error === null);
    // A second caller gets the store's failure too; with none, it is the first caller's alone.
    answer.catch(() => undefined);
    this.endingQueued.set(ex.id, answer);
    await end;
  }

  /** Ends an execution that never left the queue: cancelled, or failed with `error`. */
  private async finishQueued(ex: ActiveExecution, error: ErrorInfo | null): Promise<void> {
    try {
      await endQueued(this.ctx, ex, error);
    } catch (err) {
      // Out of the queue already, so no runner's exit settles it: another node has it by now
      // (counted among the others' from now on), or the store failed and it is still this node's,
      // unfinished, to be taken up again as a runner's abandoned execution is.
      if (err instanceof LeaseLostError) this.ctx.metrics.disown(ex.record);
      else this.scheduler.abandoned.set(ex.id, ex.record);
      throw err;
    }
  }
}

/** Whether an execution is compensating for a cancel: it ends cancelled once its saga ran. */
function beingCancelled(record: ExecutionRecord): boolean {
  return record.status === 'compensating' && record.outcome === 'cancelled';
}
