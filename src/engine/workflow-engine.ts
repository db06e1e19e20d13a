/**
 * `WorkflowEngine` (SPEC §4): define workflows, execute them, follow and cancel executions.
 * A thin facade: definitions and new executions here; reads in `execution-queries.ts`;
 * cancellation in `cancellation.ts`.
 * @module
 */

import type { Plan, StepDefinition, WorkflowDefinition, WorkflowOptions } from '../definition/types.js';
import { describeValue } from '../describe-value.js';
import {
  ClosedError,
  ConflictError,
  NoWorkersError,
  toError,
  ValidationError,
  WorkflowNotFoundError,
} from '../errors.js';
import { executionTime, newExecutionId } from '../ids.js';
import { checkNonEmptyString } from '../non-empty-string.js';
import type { CreatePlacement, CreateResult, ExecutionRecord } from '../store/store.js';
import type { ActionHandler, ExecutionState, ExecutionStatus, ListExecutionsOptions } from '../types.js';
import { NO_OPTIONS, optionsIssues } from '../unknown-keys.js';
import { ActiveExecution } from './active-execution.js';
import { Cancellation } from './cancellation.js';
import { placementTarget } from './capable-nodes.js';
import { type EngineContext, leaseMs } from './context.js';
import type { DefinitionRegistry } from './definitions.js';
import { copyExecutionInput } from './execution-input.js';
import { ExecutionQueries, type WaitOptions } from './execution-queries.js';
import { idempotencyKeyProblem } from './idempotency-key.js';
import { heldOrRefused } from './idempotent-retry.js';
import { KeysInCreation } from './keys-in-creation.js';
import { endPlacement, placedLeaseUntil, startPlacement } from './placement.js';
import { checkPurgeOptions, type PurgeOptions, purgeFinished } from './retention.js';
import type { Scheduler } from './scheduler.js';

/** The placement of an execution this node starts itself: no other node needs a wake-up hint. */
const PLACED_HERE: CreatePlacement = Object.freeze({ placedHere: true });

/** Options of `executeWorkflow`. */
export interface ExecuteOptions {
  /** Same key → same execution id (the second call starts nothing). */
  idempotencyKey?: string | undefined;
}

export type { WaitOptions };

/**
 * The workflow engine (`orch.workflowEngine`): registers actions, defines workflows, starts
 * executions and follows, waits for, cancels and lists them. Get it from `createOrchestrator`.
 */
export class WorkflowEngine {
  private readonly ctx: EngineContext;
  private readonly definitions: DefinitionRegistry;
  private readonly scheduler: Scheduler;
  private closed = false;
  /** `purgeExecutions` calls under way. */
  private readonly purging = new Set<Promise<number>>();
  private readonly queries: ExecutionQueries;
  private readonly cancellation: Cancellation;
  /** Creates under way with an idempotency key (a refused retry waits for them). */
  private readonly keysInCreation = new KeysInCreation();

  constructor(ctx: EngineContext, definitions: DefinitionRegistry, scheduler: Scheduler) {
    this.ctx = ctx;
    this.definitions = definitions;
    this.scheduler = scheduler;
    this.queries = new ExecutionQueries(ctx, definitions, scheduler, () => this.closed);
    this.cancellation = new Cancellation(ctx, scheduler, () => this.assertOpen());
    scheduler.onQueuedDeadline = () => {
      this.expireQueued().catch((error: unknown) => {
        // Housekeeping tries again on its next round.
        ctx.logger.error({ err: toError(error) }, 'ending queued executions past their deadline failed');
      });
    };
  }

  /** Claims an orphaned execution by id so this node can cancel it (set by the orchestrator). @internal */
  set claimOrphan(claim: (id: string) => Promise<unknown>) {
    this.cancellation.claimOrphan = claim;
  }

  /**
   * Called when an execution was stored as another node's (cluster placement): the loads are
   * re-read soon (set by the orchestrator; see `placed-loads.ts`).
   * @internal
   */
  placedElsewhere: (node: string) => void = () => undefined;

  /**
   * Whether this node lacks the handlers the cancellation of an execution no other node holds
   * needs (set by the orchestrator).
   * @internal
   */
  set cannotRun(check: (id: string) => Promise<boolean>) {
    this.cancellation.cannotRun = check;
  }

  /**
   * Registers a step handler under `name`. Takes effect before it returns.
   * @throws ValidationError when `name` is not an action name (`[A-Za-z0-9_.-]+`) or is a
   *   built-in (`noop`, `delay`, `http`), or `handler` is not a function.
   */
  registerAction(name: string, handler: ActionHandler): void {
    this.ctx.actions.register(name, handler);
  }

  /**
   * The handler registered under `name` (built-ins included), or undefined.
   * @throws ValidationError when `name` is not a non-empty string.
   */
  getAction(name: string): ActionHandler | undefined {
    checkNonEmptyString(name, 'name', 'getAction');
    return this.ctx.actions.get(name);
  }

  /** Names of registered actions (built-ins included). */
  listActions(): string[] {
    return this.ctx.actions.list();
  }

  /**
   * Adds `key` to this node's heartbeat `info` in the store's node registry, as `provider()`
   * answers at each heartbeat (`null` takes it out): how the remote-worker hub shows every node,
   * and `orchestrator workers`, the workers registered with this one. Keys the engine writes
   * itself (`pid`, `cluster`, `leaseSeconds`, ...) keep the engine's value; a provider that throws
   * leaves its key out of that heartbeat. The answer must be a JSON value, kept small: it is
   * written with every heartbeat.
   * @throws ValidationError when `key` is not a non-empty string or `provider` no function or null.
   */
  advertise(key: string, provider: (() => unknown) | null): void {
    checkNonEmptyString(key, 'key', 'advertise');
    if (provider !== null && typeof provider !== 'function') {
      throw new ValidationError(
        [{ path: 'provider', message: `expected a function or null, got ${describeValue(provider)}` }],
        'Invalid advertise arguments',
      );
    }
    this.ctx.heartbeatExtras.set(key, provider);
  }

  /**
   * Validates and stores a definition; a changed definition gets the next version, the same one
   * in another form (key order, a fixed default written out or left out) the stored version.
   * @throws ValidationError naming each problem (path and message; unknown keys included);
   *   ClosedError once closed.
   */
  async defineWorkflow(
    id: string,
    steps: readonly StepDefinition[],
    options?: WorkflowOptions,
  ): Promise<WorkflowDefinition> {
    this.assertOpen();
    const def = await this.definitions.define(id, steps, options);
    return def;
  }

  /**
   * The latest version of a workflow, or the given `version` of it; null when there is none.
   * @throws ValidationError (rejects) when `id` is not a non-empty string or `version` is given
   *   and is not a positive integer (a version read from text must be turned into a number).
   * @throws ClosedError once closed, unless the definition is known here (it would need the store).
   */
  async getWorkflow(id: string, version?: number): Promise<WorkflowDefinition | null> {
    checkNonEmptyString(id, 'id', 'getWorkflow');
    if (version !== undefined && !(Number.isSafeInteger(version) && version >= 1)) {
      throw new ValidationError(
        [
          {
            path: 'version',
            message: `Expected \`version\` to be a positive integer, got ${describeValue(version)}`,
          },
        ],
        'Invalid getWorkflow arguments',
      );
    }
    if (this.closed) {
      const known = this.definitions.versions(id);
      const def = version === undefined ? known.at(-1) : known.find((d) => d.version === version);
      if (def) return def;
      throw new ClosedError();
    }
    const entry =
      version === undefined ? await this.definitions.latest(id) : await this.definitions.version(id, version);
    return entry
      ? (this.definitions.versions(id).find((d) => d.version === entry.def.version) ?? null)
      : null;
  }

  /**
   * Re-reads the stored definitions if another process sharing a durable store may have defined
   * some since the last read (at most once per `sweepInterval`), so that `listWorkflows` and
   * `listWorkflowVersions` include them. Does nothing on the memory store or once closed. A read
   * that fails (the store is unreachable) is logged and leaves the definitions known here: the
   * listings, and the metrics scrape that calls this, still answer.
   */
  async refreshWorkflows(): Promise<void> {
    if (this.closed) return;
    try {
      await this.definitions.refreshAll();
    } catch (error) {
      this.ctx.logger.warn(
        { err: toError(error) },
        'could not re-read the stored workflow definitions; listing the known ones',
      );
    }
  }

  /** Latest version of every workflow known to this process (see `refreshWorkflows`), by id (code-unit order). */
  listWorkflows(): WorkflowDefinition[] {
    return this.definitions.list();
  }

  /**
   * Every version of a workflow, oldest first.
   * @throws ValidationError when `id` is not a non-empty string.
   */
  listWorkflowVersions(id: string): WorkflowDefinition[] {
    checkNonEmptyString(id, 'id', 'listWorkflowVersions');
    return this.definitions.versions(id);
  }

  /**
   * Stores a new execution and queues it. Resolves with its id once it is stored. An
   * `idempotencyKey` already used returns the id of the execution it started (running or
   * finished; the input is not compared) and starts nothing, also where a new execution would be
   * refused with WorkflowNotFoundError, NoWorkersError or the version's ConflictError (a retry
   * after a timeout gets its id; see `idempotent-retry.ts`).
   * @throws WorkflowNotFoundError for an unknown workflow id; ValidationError for bad input;
   *   ConflictError when the key is used by an execution of another workflow, or when the latest
   *   version was defined by a newer release with keys or expressions this one cannot run;
   *   NoWorkersError when no worker (cluster: no node) is left in the balancer; ClosedError once
   *   closed.
   */
  async executeWorkflow(
    workflowId: string,
    inputData: unknown = {},
    options: ExecuteOptions = NO_OPTIONS,
  ): Promise<string> {
    this.assertOpen();
    if (typeof workflowId !== 'string' || workflowId.length === 0) {
      throw new ValidationError(
        [{ path: 'workflowId', message: `expected a non-empty string, got ${describeValue(workflowId)}` }],
        'Invalid execution request',
      );
    }
    const shape = optionsIssues(options, ['idempotencyKey'], {
      path: 'options',
      expected: 'an object such as { idempotencyKey }',
    });
    if (shape.length > 0) throw new ValidationError(shape, 'Invalid execution request');
    const key = options.idempotencyKey;
    const keyProblem = key === undefined ? null : idempotencyKeyProblem(key);
    if (keyProblem !== null) {
      throw new ValidationError(
        [{ path: 'idempotencyKey', message: keyProblem }],
        'Invalid execution request',
      );
    }
    // The execution's own copy: the caller may go on using (and mutating) its object.
    const input = copyExecutionInput(inputData);
    const entry = await this.definitions.latest(workflowId);
    // The lookup may have read the store: a close() meanwhile may already have released this
    // node's leases, and an execution stored now would stay owned by a closed node (run by none).
    this.assertOpen();
    const admitted = this.admit(workflowId, entry);
    // A retry with a key already used gets its id even so (see `idempotent-retry.ts`).
    if (admitted instanceof Error) {
      return heldOrRefused(this.ctx.store, this.keysInCreation, key, workflowId, admitted);
    }
    const { version, plan, owner } = admitted;

    const { clock } = this.ctx;
    const now = clock.now();
    const cluster = this.ctx.cluster;
    let placing = cluster;
    if (placing) startPlacement(this.ctx, owner);
    const record: ExecutionRecord = {
      id: newExecutionId(now),
      // What the id holds, so that a listing cursor (the id) places it where the stores sort it.
      createdAt: executionTime(now),
      workflowId,
      workflowVersion: version,
      status: 'pending',
      input,
      error: null,
      outcome: null,
      startedAt: null,
      completedAt: null,
      workerId: null,
      idempotencyKey: key ?? null,
      cursor: 0,
      transitions: 0,
      lastStep: null,
      deadlineAt: now + plan.timeoutMs,
      cancelRequested: false,
      compensated: false,
      stepsRun: 0,
      stepsRetried: 0,
      completionSeq: 0,
      compensatedSteps: [],
      owner,
      leaseUntil: placedLeaseUntil(this.ctx, owner, now, leaseMs(this.ctx)),
      epoch: 1,
    };
    const local = owner === this.ctx.nodeId;
    // An execution that can start at once is stored as running (see `Scheduler.reserve`); the
    // runner still makes the pending -> running transition (metrics, events) when it starts.
    let reserved = local && this.scheduler.reserve();
    const ex = local ? new ActiveExecution(record, [], plan, false) : null;
    // Else it takes its place in the queue now, while it is stored (see `Scheduler.arrive`).
    let arriving = ex !== null && !reserved;
    if (arriving) this.scheduler.arrive(ex!);
    try {
      const stored = reserved ? { ...record, status: 'running' as const, startedAt: now } : { ...record };
      const creating = this.ctx.store.createExecution(stored, undefined, local ? PLACED_HERE : undefined);
      if (local) this.ctx.creating.set(record.id, creating);
      if (key !== undefined) this.keysInCreation.track(key, workflowId, creating);
      let result: CreateResult;
      try {
        result = await creating;
      } catch (error) {
        // It may be stored all the same (the connection dropped after the commit reached the
        // server), as this node's: housekeeping takes it up if so.
        if (local && this.ctx.store.durable) this.scheduler.notStarted.add(record.id);
        throw error;
      }
      if (!result.created) return this.existingForKey(result.id, workflowId);
      // Counted by the node that runs it (a placement elsewhere: when that node adopts it).
      if (local) this.ctx.metrics.created(workflowId);
      if (this.ctx.events.has('execution.created')) {
        this.ctx.events.emit('execution.created', {
          executionId: record.id,
          workflowId,
          workflowVersion: record.workflowVersion,
        });
      }
      if (placing) {
        // A placement elsewhere stays counted until a refresh reads it from the store; a local
        // one is counted by the scheduler from now on.
        endPlacement(this.ctx, owner, !local);
        placing = false;
        if (!local) this.placedElsewhere(owner);
      }
      if (ex && !this.closed) {
        if (reserved) {
          ex.storedAs('running');
          reserved = false;
          this.scheduler.launchReserved(ex);
        } else {
          arriving = false;
          this.scheduler.arrived(ex);
        }
      }
      return record.id;
    } finally {
      if (reserved) this.scheduler.release();
      if (arriving) this.scheduler.withdraw(ex!);
      if (local) this.ctx.creating.delete(record.id);
      // Not stored (or a duplicate of an existing execution): nothing was placed after all.
      if (placing) endPlacement(this.ctx, owner, false);
    }
  }

  /**
   * Where a new execution of the latest version `entry` goes: its version, plan and owner; or
   * why it is refused (returned, not thrown: a retry with a key already used gets its id instead).
   */
  private admit(
    workflowId: string,
    entry: Awaited<ReturnType<DefinitionRegistry['latest']>>,
  ): { version: number; plan: Plan; owner: string } | Error {
    if (!entry) return new WorkflowNotFoundError(workflowId, this.definitions.ids());
    // The latest version was defined by a newer release with what this one cannot run: refused
    // here rather than run as something else, or as the version before it.
    if (!entry.plan) return new ConflictError(entry.problem);
    const { plan } = entry;
    const version = entry.def.version;
    if (!this.ctx.cluster) {
      // Every worker was removed from the balancer: nothing could run it (SPEC §4).
      if (this.ctx.loadBalancer.workerCount === 0) return new NoWorkersError();
      return { version, plan, owner: this.ctx.nodeId };
    }
    // Cluster mode places the execution on the least-loaded live node that has its handlers, which
    // adopts it, or keeps it here while this node can start it at once and both stay balanced
    // (see `placementTarget`). The placement counts as that node's load at once, so concurrent
    // submissions spread too.
    try {
      return { version, plan, owner: placementTarget(this.ctx, plan, this.scheduler.hasFreeSlot) };
    } catch (error) {
      // No node left in the balancer (its workers were all removed).
      if (error instanceof NoWorkersError) return error;
      throw error;
    }
  }

  /** The execution an idempotency key already names; a key used by another workflow is a conflict. */
  private async existingForKey(id: string, workflowId: string): Promise<string> {
    const existing = this.scheduler.get(id)?.record ?? (await this.ctx.store.getExecution(id))?.execution;
    if (existing && existing.workflowId !== workflowId) {
      throw new ConflictError(
        `Idempotency key is already used by execution '${existing.id}' of workflow '${existing.workflowId}'`,
      );
    }
    return id;
  }

  /**
   * Current status, or null for an unknown id (or one retention deleted).
   * @throws ValidationError when `executionId` is not a string (a forgotten `await`); ClosedError
   *   once closed.
   */
  getExecutionStatus(executionId: string): Promise<ExecutionStatus | null> {
    return this.queries.getExecutionStatus(executionId);
  }

  /**
   * Waits for a terminal state and resolves with that status (as long as it takes, unless
   * `timeout` is given).
   * @throws TimeoutError after `timeout` seconds; ExecutionNotFoundError for an id no execution
   *   has (or one retention deleted); ClosedError once `close()` is called.
   */
  waitForCompletion(executionId: string, options: WaitOptions = NO_OPTIONS): Promise<ExecutionStatus> {
    return this.queries.waitForCompletion(executionId, options);
  }

  /**
   * Cancels a pending or running execution (compensating first where needed).
   * @returns true if it was pending or running and is now cancelled, or was compensating for an
   *   earlier cancel and ended cancelled (a repeated call waits for that saga); false otherwise: it
   *   had finished or compensates for a failure, the id is unknown, or (on a store shared with
   *   other processes) this node cannot apply it and leaves the request stored for the one that
   *   runs the execution.
   * @throws ValidationError when `executionId` is not a string; ClosedError once closed.
   */
  cancelWorkflow(executionId: string): Promise<boolean> {
    return this.cancellation.cancel(executionId);
  }

  /** Cancels an execution this node holds (use `cancelWorkflow`). @internal */
  cancelLocal(ex: ActiveExecution): Promise<boolean> {
    return this.cancellation.cancelLocal(ex);
  }

  /** Fails queued executions whose workflow timeout passed (housekeeping calls it). @internal */
  expireQueued(): Promise<void> {
    return this.cancellation.expireQueued();
  }

  /**
   * Lists executions, newest first.
   * @throws ValidationError naming a bad or unknown option (`limit` is an integer from 1 to
   *   10,000); ClosedError once closed.
   */
  listExecutions(options: ListExecutionsOptions = {}): Promise<ExecutionStatus[]> {
    return this.queries.listExecutions(options);
  }

  /**
   * Count of executions matching a filter (for pagination).
   * @throws ValidationError naming a bad or unknown filter key; ClosedError once closed.
   */
  countExecutions(
    filter: { status?: ExecutionState | undefined; workflowId?: string | undefined } = {},
  ): Promise<number> {
    return this.queries.countExecutions(filter);
  }

  /**
   * Deletes finished executions (completed, failed, cancelled) that completed before `before`,
   * with their steps and input, at most `limit` (default 10,000), in short batches; returns how
   * many it deleted. The metrics keep counting them; their ids are not found any more and their
   * idempotency keys can be used again. Never deletes a pending, running or compensating one.
   * @throws ValidationError naming a bad option; OrchestratorError `UNSUPPORTED` for a custom store
   *   without `purgeFinished`; ClosedError once closed, and when `close()` is called during the
   *   call (the batch under way ends whole, no other starts; the message says how many were deleted).
   */
  async purgeExecutions(options: PurgeOptions): Promise<number> {
    this.assertOpen();
    const { before, limit } = checkPurgeOptions(options);
    // Once closing, no other batch starts; `close` waits for the one under way (see `purgesEnded`).
    const purging = purgeFinished(this.ctx.store, before, limit, () => this.closed);
    this.purging.add(purging);
    try {
      return await purging;
    } finally {
      this.purging.delete(purging);
    }
  }

  /** Resolves when the purges under way ended (at most one batch each once closed). @internal */
  async purgesEnded(): Promise<void> {
    await Promise.allSettled([...this.purging]);
  }

  /** Stops taking work (called by the orchestrator's close; use `orch.close()`). @internal */
  markClosed(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }
}
