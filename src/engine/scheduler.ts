/**
 * The concurrency limit: at most `maxConcurrentWorkflows` executions run at once; the rest
 * wait in a FIFO queue as `pending`. Holds every execution this node has in memory, and
 * releases the worker and the slot when a runner lets go.
 *
 * At most {@link LAUNCHES_PER_TURN} executions start per turn of the event loop. With handlers that
 * do no I/O on the in-memory store, a whole execution runs in promise callbacks, and a backlog would
 * otherwise run to its end without the event loop ever turning: timers (step timeouts, deadlines,
 * heartbeats) and I/O (the HTTP API) would wait for all of it. Past the budget, executions wait
 * in the queue for the next turn.
 *
 * A new execution that can start at once reserves its slot before it is stored
 * ({@link Scheduler.reserve}), so the store records it as `running` from the start: the first
 * step's write then changes no indexed column (PostgreSQL keeps it a HOT update; SQLite leaves its
 * status index alone). A reservation counts as a start of the turn it was made in. One that cannot
 * start at once takes its place in the queue as it is requested ({@link Scheduler.arrive}), before
 * it is stored: a slot freed while it is being stored goes to it, not to a later request, and
 * requests start in the order they were made however their creates complete.
 *
 * A queued execution's workflow deadline (it counts from acceptance: README, choices) — or, for one resumed
 * in a parallel step, that step's timeout if earlier (`resumed-step-timeout.ts`) — is watched by one
 * timer, armed for the earliest deadline in the queue: when it passes,
 * {@link Scheduler.onQueuedDeadline} ends the executions due, at their deadline rather than at the
 * next housekeeping round (which still checks, in case ending one failed).
 * @module
 */
import type { TimerHandle } from '../clock.js';
import { Fifo } from '../fifo.js';
import type { ExecutionRecord } from '../store/store.js';
import type { ActiveExecution, StopReason } from './active-execution.js';
import type { EngineContext } from './context.js';
import { leaveForShutdown, leftForShutdown, type RunResult, runExecution } from './execution-runner.js';
import { resumedStepTimeoutAt } from './resumed-step-timeout.js';
import { RetakeBackoff } from './retake-backoff.js';

/** Executions started per turn of the event loop, at most. */
export const LAUNCHES_PER_TURN = 100;

export class Scheduler {
  /** Executions held by this node: queued or running. */
  readonly active = new Map<string, ActiveExecution>();
  private readonly queue = new Fifo<ActiveExecution>();
  /** Queued requests still being stored ({@link arrive}): not started, not held until stored. */
  private readonly arrivals = new Set<ActiveExecution>();
  /**
   * Resumed executions that must wind down (cancelled, past a deadline) with compensations to run,
   * waiting for a slot ahead of the queue; see {@link prioritize}.
   */
  private readonly windingDown = new Fifo<ActiveExecution>();
  /**
   * The executions winding down past the limit: at most the limit's worth at once (see
   * {@link prioritize}).
   */
  private readonly lanes = new Set<ActiveExecution>();
  /**
   * Cluster mode, while a backlog is claimed from the store batch by batch: the newest execution of
   * the last batch. Those accepted after it wait (queued) for the next round's claim, which may
   * queue older ones ahead of them; see `Takeover.claim`.
   */
  private heldAfter: Accepted | null = null;
  /** Whether {@link onHeld} was called for the current {@link heldAfter}. */
  private heldTold = false;
  private running = 0;
  private readonly ctx: EngineContext;
  private readonly limit: number;
  /**
   * Executions a runner gave up after a store failure, as last counted in the metrics; the lease
   * keeper takes them up again.
   */
  readonly abandoned = new Map<string, ExecutionRecord>();
  /** When each execution given up after a store failure is taken up again (see `RetakeBackoff`). */
  readonly retakeBackoff: RetakeBackoff;
  /**
   * Executions that may be this node's in the store yet run nowhere, counted nowhere here: claimed
   * but not started (reading them failed), or created here by a create whose outcome is unknown
   * (its commit failed: it may have committed). This node renews their leases, so no other claim
   * takes them: the lease keeper takes them up again, if they are stored.
   */
  readonly notStarted = new Set<string>();
  /**
   * Executions a claim of this node took (a new epoch) while their runner here still held the
   * older epoch: that runner's next write is refused and it stops as if another node had taken
   * over. As this node renews the new lease, no other node would ever take them up: when the
   * runner stops so, they join {@link notStarted}.
   */
  readonly reclaimed = new Set<string>();
  /** Executions started in this turn of the event loop; reset by `onTurn`. */
  private launchedThisTurn = 0;
  private readonly onTurn = () => {
    this.launchedThisTurn = 0;
    this.pump();
  };
  /** The timer of the earliest queued deadline, and when it is due (Infinity: none armed). */
  private deadlineTimer: TimerHandle | null = null;
  private deadlineTimerAt = Number.POSITIVE_INFINITY;
  /**
   * Called when the workflow deadline of a queued execution passes (set by the engine: it ends
   * the executions {@link queuedPastDeadline} lists).
   */
  onQueuedDeadline: () => void = () => undefined;
  /**
   * Called once when an execution waits for a free slot only because it was accepted after the
   * last batch of a backlog claimed (see {@link holdAfter}): the next claim is due now.
   */
  onHeld: () => void = () => undefined;
  /** Called each time a started execution leaves this node (a slot freed). */
  onExit: () => void = () => undefined;

  constructor(ctx: EngineContext, limit: number) {
    this.ctx = ctx;
    this.limit = limit;
    this.retakeBackoff = new RetakeBackoff(ctx.config.sweepInterval * 1000);
  }

  get runningCount(): number {
    return this.running;
  }

  get queuedCount(): number {
    return this.queue.size - this.arrivals.size + this.windingDown.size;
  }

  /** Whether a new execution could start here at once (what {@link reserve} and {@link submit} take). */
  get hasFreeSlot(): boolean {
    return (
      this.canLaunch() && this.queue.size === 0 && this.windingDown.size === 0 && this.heldAfter === null
    );
  }

  get(id: string): ActiveExecution | undefined {
    return this.active.get(id);
  }

  /**
   * Takes an execution: runs it now if a slot is free, else queues it. In cluster mode it counts
   * as this node's load from now on, queued or not, so placement sees it at once.
   */
  submit(ex: ActiveExecution): void {
    this.hold(ex);
    if (this.hasFreeSlot) this.launch(ex);
    else this.enqueue(ex);
  }

  /**
   * Reserves a slot for an execution about to be stored, if it could start now (a free slot,
   * nobody queued, starts left in this turn, not draining). Follow with {@link launchReserved}
   * once it is stored, or {@link release} if it is not.
   */
  reserve(): boolean {
    if (!this.hasFreeSlot) return false;
    this.countLaunch();
    this.running++;
    return true;
  }

  /**
   * Queues a new execution that could not {@link reserve} a slot, while it is being stored: it
   * keeps its place, and nothing behind it starts before it. Follow with {@link arrived} once it is
   * stored, or {@link withdraw} if it is not.
   */
  arrive(ex: ActiveExecution): void {
    this.arrivals.add(ex);
    this.queue.push(ex);
  }

  /** The execution {@link arrive} queued is stored: it is held, and starts in its turn. */
  arrived(ex: ActiveExecution): void {
    if (!this.arrivals.delete(ex)) return;
    this.hold(ex);
    this.watchDeadline(ex);
    this.pump();
  }

  /** Takes out of the queue an execution {@link arrive} queued that was not stored after all. */
  withdraw(ex: ActiveExecution): void {
    if (!this.arrivals.delete(ex)) return;
    this.queue.remove(ex);
    this.pump();
  }

  /** Gives back a slot {@link reserve} took, for an execution that was not stored after all. */
  release(): void {
    this.running--;
    this.pump();
  }

  /**
   * Starts a stored execution in the slot {@link reserve} took for it. Its create may have answered
   * late (this node stalled after the commit): see {@link leaseRanOut}.
   */
  launchReserved(ex: ActiveExecution): void {
    this.hold(ex);
    if (this.leaseRanOut(ex)) ex.storeStartsFirst = true;
    this.start(ex);
  }

  /**
   * Removes a queued (not yet started) execution; the caller settles it (`markDone`). Returns false
   * if it already started. It stays held until settled: while its end is being stored, the store
   * still shows it unfinished and owned here, and a round adopting this node's executions must not
   * take it up again.
   */
  dequeue(ex: ActiveExecution): boolean {
    if (ex.started || !this.queue.remove(ex)) return false;
    this.leftQueue(ex);
    return true;
  }

  /**
   * Takes out of the queue up to `max` of the oldest queued executions that never ran (stored
   * `pending`, not being stored, no cancel requested, not past their deadline) and that `fits`:
   * handed over to other nodes (see `backlog-shedding.ts`). Like {@link dequeue}, each stays held
   * until the caller settles it (`markDone`).
   */
  shed(max: number, fits: (ex: ActiveExecution) => boolean): ActiveExecution[] {
    const now = this.ctx.clock.now();
    const taken = this.queue.takeOldest(max, (ex) => {
      if (ex.started || this.arrivals.has(ex) || ex.record.status !== 'pending') return false;
      if (ex.record.cancelRequested) return false;
      const deadline = queuedDeadline(ex);
      return (deadline === null || deadline > now) && fits(ex);
    });
    for (const ex of taken) this.leftQueue(ex);
    return taken;
  }

  /** `ex` left the queue without starting: no load here any more, and let go once settled. */
  private leftQueue(ex: ActiveExecution): void {
    this.ctx.loadBalancer.completeWorkflow(ex.id);
    void ex.done.then(() => {
      if (this.active.get(ex.id) === ex) this.active.delete(ex.id);
    });
  }

  /**
   * Holds back the executions accepted after `last` (see {@link heldAfter}); null lets them start.
   */
  holdAfter(last: Accepted | null): void {
    this.heldAfter = last === null ? null : { id: last.id, createdAt: last.createdAt };
    this.heldTold = false;
    this.pump();
  }

  /**
   * Starts a queued execution at once, past the limit, and returns true (false if it already
   * started). For a resumed execution that must wind down now — cancelled, or past its deadline —
   * with no compensation to run: its runner only stores its end, running no handler, so it need
   * not wait for a slot that running handlers may hold for a long time.
   */
  expedite(ex: ActiveExecution): boolean {
    if (ex.started || !this.queue.remove(ex)) return false;
    this.running++;
    this.start(ex);
    return true;
  }

  /**
   * Starts a queued execution ahead of the queue, and returns true (false if it already started).
   * For a resumed execution that must wind down with compensations to run: they call the services
   * the limit protects, so at most the limit's worth of such executions run past it at once (a
   * slot held for long by running handlers does not hold up a cancel, nor does one compensation
   * that hangs), and they take free slots before anything queued. Each started past the limit
   * once ran: 30 resumed executions past their deadline ran their 30 compensations at once with a
   * limit of 2. One at a time, a compensation that hung held up every other cancel.
   */
  prioritize(ex: ActiveExecution): boolean {
    if (ex.started) return false;
    if (!this.queue.remove(ex)) return this.windingDown.has(ex);
    this.windingDown.push(ex);
    this.pump();
    return true;
  }

  /** Whether `ex` waits for a wind-down lane (see {@link prioritize}). */
  isWindingDown(ex: ActiveExecution): boolean {
    return this.windingDown.has(ex);
  }

  /**
   * Queued (not started) executions whose deadline has passed (see `queuedDeadline`; a
   * compensating one has none any more).
   */
  queuedPastDeadline(now: number): ActiveExecution[] {
    const out: ActiveExecution[] = [];
    for (const ex of this.queue) {
      const at = this.deadlineOf(ex);
      if (at !== null && at <= now) out.push(ex);
    }
    return out;
  }

  /** Whether `ex` still waits in the queue (not started, not taken out of it). */
  isQueued(ex: ActiveExecution): boolean {
    return !ex.started && this.active.get(ex.id) === ex;
  }

  /**
   * Whether this node still owns `id` in the store without running it: given up after a store
   * failure ({@link abandoned}), or claimed or created but not started ({@link notStarted}).
   */
  ownsUnrun(id: string): boolean {
    return this.abandoned.has(id) || this.notStarted.has(id);
  }

  /**
   * The ids {@link ownsUnrun} holds, for the lease keeper to take them up again at `now`: not those
   * given up that still wait out their backoff (see `RetakeBackoff`).
   */
  unrunIds(now: number): string[] {
    const ids = new Set(this.notStarted);
    for (const id of this.abandoned.keys()) if (this.retakeBackoff.due(id, now)) ids.add(id);
    return [...ids];
  }

  /**
   * Halts for the shutdown every running execution that only waits on a timer (see
   * `ActiveExecution.waitOnTimer`): a grace period lets running handlers finish, not timers run out.
   */
  stopWaitingOnTimers(): void {
    for (const ex of this.active.values()) if (ex.onTimer) ex.stop('shutdown');
  }

  /** Stops every execution (running ones abort; queued ones are let go untouched). */
  stopAll(reason: StopReason): void {
    for (const ex of [...this.windingDown, ...this.queue]) {
      // Still being stored: its request sees the orchestrator closed and leaves it be.
      if (this.arrivals.has(ex)) continue;
      this.active.delete(ex.id);
      this.ctx.loadBalancer.completeWorkflow(ex.id);
      ex.stop(reason);
      ex.markDone();
    }
    this.windingDown.clear();
    this.queue.clear();
    this.arrivals.clear();
    this.deadlineTimer?.cancel();
    this.deadlineTimer = null;
    this.deadlineTimerAt = Number.POSITIVE_INFINITY;
    for (const ex of this.active.values()) ex.stop(reason);
  }

  /**
   * Resolves when no started execution is held any more: queued ones may stay (while the node
   * drains, none starts, so waiting for them would wait for nothing).
   */
  async startedIdle(): Promise<void> {
    for (;;) {
      const started = [...this.active.values()].filter((ex) => ex.started);
      if (started.length === 0) return;
      await Promise.all(started.map((ex) => ex.done));
    }
  }

  /** The workflow of each execution that took a slot here and has not ended (queued ones aside). */
  *startedWorkflowIds(): Generator<string> {
    // `started` is set as it takes its slot; its status leaves `pending` as it starts (one whose
    // timeout passed in the queue ends from there, never started).
    for (const ex of this.active.values())
      if (ex.started && ex.record.status !== 'pending') yield ex.record.workflowId;
  }

  /** Resolves when every held execution has been let go. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()].map((ex) => ex.done));
  }

  /** Holds `ex` on this node (in cluster mode, counted as this node's load from now on). */
  private hold(ex: ActiveExecution): void {
    this.active.set(ex.id, ex);
    if (this.ctx.cluster) this.ctx.loadBalancer.attach(ex.id, this.ctx.nodeId);
  }

  private canLaunch(): boolean {
    return (
      this.running < this.limit &&
      this.launchedThisTurn < LAUNCHES_PER_TURN &&
      !this.ctx.lifecycle.draining &&
      this.hasWorker()
    );
  }

  /**
   * Whether the balancer has a worker to give an execution that starts (cluster mode: this node).
   * Without one (the last was removed), queued executions wait for one.
   */
  private hasWorker(): boolean {
    return this.ctx.cluster || this.ctx.loadBalancer.workerCount > 0;
  }

  /**
   * Starts queued executions that can start now: after a worker was added to a balancer that had
   * none (housekeeping calls it every round).
   */
  wake(): void {
    this.pump();
  }

  private countLaunch(): void {
    if (this.launchedThisTurn++ === 0) setImmediate(this.onTurn);
  }

  /**
   * `waited`: it comes from the queue. In cluster mode, another node may have taken it over while
   * it waited there (its lease ran out: a renewal skipped its locked row, or this node paused), or
   * its known lease ran out already (it was stored late): its first attempt's start is stored
   * before its handler runs, a write the store refuses if the execution is no longer this node's.
   * Started at once with a lease still running, it was this node's a moment ago: no write first.
   */
  private launch(ex: ActiveExecution, waited = false): void {
    if ((this.ctx.cluster && waited) || this.leaseRanOut(ex)) ex.storeStartsFirst = true;
    this.countLaunch();
    this.running++;
    this.start(ex);
  }

  /**
   * Cluster mode: whether the lease this node last stored for `ex` (created, adopted or renewed
   * with) has run out (this node stalled, or it was stored late). Another node may have claimed it meanwhile, and this node's
   * renewal after the stall neither stopped it (not held yet) nor keeps the runner's lease check
   * from passing: its first attempt's start is stored before its handler runs, a write the store
   * refuses if the execution is no longer this node's.
   */
  private leaseRanOut(ex: ActiveExecution): boolean {
    const until = ex.record.leaseUntil;
    return this.ctx.cluster && until !== null && this.ctx.clock.now() >= until;
  }

  /**
   * Runs `ex` in a slot already counted in `running`. If the last worker was removed since the
   * slot was taken (while `ex` was being stored), `ex` goes back to the head of the queue instead,
   * to wait for a worker: starting, it would get the balancer's NoWorkersError.
   */
  private start(ex: ActiveExecution): void {
    if (!this.hasWorker()) {
      this.running--;
      this.queue.unshift(ex);
      this.watchDeadline(ex);
      return;
    }
    ex.started = true;
    // A run a shutdown stopped is left for the next start with one more write; the others end here
    // (not in an async function of their own around the two: one less per execution).
    const failed = () => {
      this.reclaimed.delete(ex.id);
      this.exit(ex);
    };
    void runExecution(this.ctx, ex).then((result) => {
      if (leftForShutdown(ex, result)) {
        void leaveForShutdown(this.ctx, ex).then(() => this.ran(ex, result), failed);
      } else this.ran(ex, result);
    }, failed);
  }

  /** `ex`'s runner let go of it with `result`. */
  private ran(ex: ActiveExecution, result: RunResult): void {
    if (result === 'abandoned') {
      this.abandoned.set(ex.id, ex.record);
      this.backOff(ex);
    }
    if (this.reclaimed.delete(ex.id) && result === 'halted' && ex.halted === 'lease') {
      this.notStarted.add(ex.id);
    }
    this.exit(ex);
  }

  /**
   * `ex`'s runner gave it up after a store failure: one more in a row unless this run stored an
   * attempt's end (see `RetakeBackoff`).
   */
  private backOff(ex: ActiveExecution): void {
    const failures = ex.progressed ? 1 : ex.storeFailures + 1;
    const waitMs = this.retakeBackoff.gaveUp(ex.id, failures, this.ctx.clock.now());
    if (waitMs > 0) {
      this.ctx.logger.warn(
        { executionId: ex.id, failures, waitMs },
        'store writes of this execution failed in a row; it is taken up again after a backoff',
      );
    }
  }

  private exit(ex: ActiveExecution): void {
    // Another node took it over: counted among that node's executions from now on.
    if (ex.halted === 'lease') this.ctx.metrics.disown(ex.record);
    this.running--;
    this.lanes.delete(ex);
    this.active.delete(ex.id);
    this.ctx.loadBalancer.completeWorkflow(ex.id);
    ex.markDone();
    this.pump();
    this.onExit();
  }

  /** The deadline of a queued execution, if it has one (one still being stored has none yet). */
  private deadlineOf(ex: ActiveExecution): number | null {
    return this.arrivals.has(ex) ? null : queuedDeadline(ex);
  }

  /**
   * Queues an execution taken from the store (resumed, claimed, placed here) in the order of
   * acceptance: one accepted before executions queued here already goes ahead of them. A node that
   * claimed the executions another node left queued ran the new ones it had accepted meanwhile
   * first, though they came later (FIFO is by acceptance, across restarts and nodes).
   */
  private enqueue(ex: ActiveExecution): void {
    this.queue.pushOrdered(ex, (queued) => acceptedAfter(queued.record, ex.record));
    this.watchDeadline(ex);
  }

  /** Arms the deadline timer for a queued execution's deadline, if it comes first. */
  private watchDeadline(ex: ActiveExecution): void {
    const at = queuedDeadline(ex);
    if (at !== null && at < this.deadlineTimerAt) this.armDeadlineTimer(at);
  }

  /** (Re)arms the deadline timer for `at`. */
  private armDeadlineTimer(at: number): void {
    this.deadlineTimer?.cancel();
    this.deadlineTimerAt = at;
    this.deadlineTimer = this.ctx.clock.setTimer(() => this.deadlineDue(), at - this.ctx.clock.now(), true);
  }

  /**
   * The deadline timer fired: ends what is due (by the clock's `now()`: a timer may fire a
   * millisecond early, see `sleepUntil`) and arms the timer for the earliest deadline still ahead.
   * Executions that left the queue meanwhile are not looked for: the timer just finds less.
   */
  private deadlineDue(): void {
    this.deadlineTimer = null;
    this.deadlineTimerAt = Number.POSITIVE_INFINITY;
    const now = this.ctx.clock.now();
    let next = Number.POSITIVE_INFINITY;
    let due = false;
    for (const ex of this.queue) {
      const at = this.deadlineOf(ex);
      if (at === null) continue;
      if (at <= now) due = true;
      else if (at < next) next = at;
    }
    // Those due stay queued until their end is stored; housekeeping ends any that fails to be.
    if (due) this.onQueuedDeadline();
    if (next !== Number.POSITIVE_INFINITY) this.armDeadlineTimer(next);
  }

  private pump(): void {
    // Winding down: up to the limit's worth past it, the others in free slots first.
    while (this.lanes.size < this.limit && this.windingDown.size > 0) {
      const next = this.windingDown.shift()!;
      this.running++;
      this.start(next);
      // No worker to start it on: back in the queue, no lane taken.
      if (!next.started) break;
      this.lanes.add(next);
    }
    while (this.windingDown.size > 0 && this.canLaunch()) this.launch(this.windingDown.shift()!, true);
    while (this.queue.size > 0 && this.canLaunch()) {
      const next = this.queue.peek()!;
      // Requested first, still being stored: the ones behind it wait for it.
      if (this.arrivals.has(next)) return;
      // Accepted after a backlog's last claimed batch: older ones may still come (see heldAfter).
      if (this.heldAfter !== null && acceptedAfter(next.record, this.heldAfter)) {
        if (!this.heldTold) {
          this.heldTold = true;
          this.onHeld();
        }
        return;
      }
      this.queue.shift();
      this.launch(next, true);
    }
  }
}

/**
 * When a queued execution must end, if ever: its workflow deadline, or for a resumed one in a
 * parallel step, that step's timeout if earlier (see `resumedStepTimeoutAt`). A compensating one
 * has neither any more.
 */
function queuedDeadline(ex: ActiveExecution): number | null {
  const r = ex.record;
  if (ex.started || r.status === 'compensating') return null;
  const step = resumedStepTimeoutAt(ex);
  if (step === null) return r.deadlineAt;
  return r.deadlineAt === null ? step : Math.min(step, r.deadlineAt);
}

/** An execution's place in the order of acceptance. */
export interface Accepted {
  readonly id: string;
  readonly createdAt: number;
}

/** Whether `a` was accepted after `b`: a later acceptance time, or the same and a later id. */
export function acceptedAfter(a: Accepted, b: Accepted): boolean {
  return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
}
