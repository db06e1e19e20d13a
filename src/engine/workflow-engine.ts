/**
 * `WorkflowEngine` (SPEC §4): define workflows, execute them, follow and cancel executions.
 * A thin facade over the definition registry, the scheduler and the store.
 * @module
 */

import type { StepDefinition, WorkflowDefinition, WorkflowOptions } from '../definition/types.js';
import {
  ClosedError,
  ConflictError,
  ExecutionNotFoundError,
  TimeoutError,
  ValidationError,
  WorkflowNotFoundError,
} from '../errors.js';
import { newExecutionId } from '../ids.js';
import { assertJson } from '../json-check.js';
import type { ExecutionRecord, ExecutionSnapshot } from '../store/store.js';
import type { ActionHandler, ExecutionState, ExecutionStatus, ListExecutionsOptions } from '../types.js';
import { TERMINAL_STATES } from '../types.js';
import { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';
import type { DefinitionRegistry } from './definitions.js';
import { endPlacement, startPlacement } from './placement.js';
import type { Scheduler } from './scheduler.js';
import { buildStatus } from './status.js';

const STATES: ReadonlySet<string> = new Set([
  'pending',
  'running',
  'compensating',
  'completed',
  'failed',
  'cancelled',
]);
const POLL_MS = 100;

/** Options of `executeWorkflow`. */
export interface ExecuteOptions {
  /** Same key → same execution id (the second call starts nothing). */
  idempotencyKey?: string;
}

/** Options of `waitForCompletion`. */
export interface WaitOptions {
  /** Seconds to wait; past it the promise rejects with a `TimeoutError`. @default no limit */
  timeout?: number;
}

export class WorkflowEngine {
  private readonly ctx: EngineContext;
  private readonly definitions: DefinitionRegistry;
  private readonly scheduler: Scheduler;
  private closed = false;
  /** Claims an orphaned execution by id so this node can cancel it (set by the orchestrator). */
  claimOrphan: (id: string) => Promise<unknown> = async () => 0;

  constructor(ctx: EngineContext, definitions: DefinitionRegistry, scheduler: Scheduler) {
    this.ctx = ctx;
    this.definitions = definitions;
    this.scheduler = scheduler;
  }

  /** Registers a step handler under `name`. Takes effect before it returns. */
  registerAction(name: string, handler: ActionHandler): void {
    this.ctx.actions.register(name, handler);
  }

  /** Names of registered actions (built-ins included). */
  listActions(): string[] {
    return this.ctx.actions.list();
  }

  /** Validates and stores a definition; a changed definition gets the next version. */
  async defineWorkflow(
    id: string,
    steps: StepDefinition[],
    options?: WorkflowOptions,
  ): Promise<WorkflowDefinition> {
    this.assertOpen();
    const def = await this.definitions.define(id, steps, options);
    return def;
  }

  /** The latest version of a workflow, or null. */
  async getWorkflow(id: string, version?: number): Promise<WorkflowDefinition | null> {
    const entry =
      version === undefined ? await this.definitions.latest(id) : await this.definitions.version(id, version);
    return entry
      ? (this.definitions.versions(id).find((d) => d.version === entry.def.version) ?? null)
      : null;
  }

  /** Latest version of every workflow. */
  listWorkflows(): WorkflowDefinition[] {
    return this.definitions.list();
  }

  /** Every version of a workflow, oldest first. */
  listWorkflowVersions(id: string): WorkflowDefinition[] {
    return this.definitions.versions(id);
  }

  /**
   * Stores a new execution and queues it. Resolves with its id once it is stored.
   * @throws WorkflowNotFoundError for an unknown workflow id; ValidationError for bad input.
   */
  async executeWorkflow(
    workflowId: string,
    inputData: unknown = {},
    options: ExecuteOptions = {},
  ): Promise<string> {
    this.assertOpen();
    if (typeof workflowId !== 'string' || workflowId.length === 0) {
      throw new ValidationError(
        [{ path: 'workflowId', message: 'expected a non-empty string' }],
        'Invalid execution request',
      );
    }
    const key = options?.idempotencyKey;
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 256)) {
      throw new ValidationError(
        [{ path: 'idempotencyKey', message: 'expected a string of 1 to 256 characters' }],
        'Invalid execution request',
      );
    }
    const input = inputData === undefined ? {} : inputData;
    assertJson(input, 'inputData');
    const entry = await this.definitions.latest(workflowId);
    if (!entry) throw new WorkflowNotFoundError(workflowId);

    const { clock, config } = this.ctx;
    const now = clock.now();
    // Cluster mode places the execution on the least-loaded live node, which adopts it. The
    // placement counts as that node's load at once, so concurrent submissions spread too.
    const cluster = this.ctx.cluster;
    const owner = cluster ? this.ctx.loadBalancer.pickWorker() : this.ctx.nodeId;
    let placing = cluster;
    if (placing) startPlacement(this.ctx, owner);
    const record: ExecutionRecord = {
      id: newExecutionId(now),
      workflowId,
      workflowVersion: entry.def.version,
      status: 'pending',
      input,
      error: null,
      outcome: null,
      createdAt: now,
      startedAt: null,
      completedAt: null,
      workerId: null,
      idempotencyKey: key ?? null,
      cursor: 0,
      transitions: 0,
      lastStep: null,
      deadlineAt: now + entry.plan.timeoutMs,
      cancelRequested: false,
      compensated: false,
      stepsRun: 0,
      stepsRetried: 0,
      completionSeq: 0,
      compensatedSteps: [],
      owner,
      leaseUntil: now + config.leaseSeconds * 1000,
      epoch: 1,
    };
    const local = owner === this.ctx.nodeId;
    if (local) this.ctx.creating.add(record.id);
    try {
      const result = await this.ctx.store.createExecution({ ...record });
      if (!result.created) return this.existingForKey(result.id, workflowId);
      this.ctx.metrics.created(workflowId);
      this.ctx.events.emit('execution.created', {
        executionId: record.id,
        workflowId,
        workflowVersion: record.workflowVersion,
      });
      if (placing) {
        // A placement elsewhere stays counted until a refresh reads it from the store; a local
        // one is counted by the scheduler from now on.
        endPlacement(this.ctx, owner, !local);
        placing = false;
      }
      if (local && !this.closed) this.scheduler.submit(new ActiveExecution(record, [], entry.plan, false));
      return record.id;
    } finally {
      if (local) this.ctx.creating.delete(record.id);
      // Not stored (or a duplicate of an existing execution): nothing was placed after all.
      if (placing) endPlacement(this.ctx, owner, false);
    }
  }

  /** The execution an idempotency key already names; a key used by another workflow is a conflict. */
  private async existingForKey(id: string, workflowId: string): Promise<string> {
    const existing = this.scheduler.get(id)?.record ?? (await this.ctx.store.getExecution(id))?.execution;
    if (existing && existing.workflowId !== workflowId) {
      throw new ConflictError(
        `Idempotency key is already used by an execution of workflow '${existing.workflowId}'`,
      );
    }
    return id;
  }

  /** Current status, or null for an unknown id. */
  async getExecutionStatus(executionId: string): Promise<ExecutionStatus | null> {
    this.assertOpen();
    if (typeof executionId !== 'string') return null;
    const local = this.localStatus(executionId);
    if (local) return local;
    const snapshot = await this.ctx.store.getExecution(executionId);
    return snapshot ? this.fromSnapshot(snapshot) : null;
  }

  /** Waits for a terminal state. Rejects with `TimeoutError` after `timeout` seconds. */
  async waitForCompletion(executionId: string, options: WaitOptions = {}): Promise<ExecutionStatus> {
    const { clock } = this.ctx;
    const timeout = options.timeout;
    if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0))) {
      throw new ValidationError(
        [{ path: 'timeout', message: 'expected a non-negative number of seconds' }],
        'Invalid wait',
      );
    }
    const deadline = timeout === undefined ? null : clock.now() + timeout * 1000;
    for (;;) {
      const ex = this.scheduler.get(executionId);
      if (ex) {
        const finished = await this.waitDone(ex.done, deadline);
        if (finished && TERMINAL_STATES.has(ex.record.status)) return this.build(ex);
      } else {
        const status = await this.getExecutionStatus(executionId);
        if (!status) throw new ExecutionNotFoundError(executionId);
        if (TERMINAL_STATES.has(status.status)) return status;
        if (this.closed) throw new ClosedError();
        const left = deadline === null ? POLL_MS : Math.min(POLL_MS, deadline - clock.now());
        if (left > 0) await clock.sleep(left);
      }
      if (deadline !== null && clock.now() >= deadline) {
        throw new TimeoutError(`Execution ${executionId} did not finish within ${timeout}s`);
      }
    }
  }

  /** Cancels a pending or running execution (compensating first where needed). */
  async cancelWorkflow(executionId: string): Promise<boolean> {
    // A closed orchestrator cannot run the cancellation (or its compensation) any more.
    this.assertOpen();
    const ex = this.scheduler.get(executionId);
    if (ex) return this.cancelLocal(ex);
    const rec = await this.ctx.store.requestCancel(executionId);
    if (!rec || (rec.status !== 'pending' && rec.status !== 'running')) return false;
    // Nobody alive runs it: take it over here and cancel it.
    await this.claimOrphan(executionId);
    const claimed = this.scheduler.get(executionId);
    if (claimed) return this.cancelLocal(claimed);
    // An in-memory store has no other node that could apply the request.
    if (!this.ctx.store.durable) return false;
    // Another node owns it and applies the request on its next sweep.
    const deadline = this.ctx.clock.now() + this.ctx.config.leaseSeconds * 1000;
    while (this.ctx.clock.now() < deadline) {
      const status = await this.getExecutionStatus(executionId);
      if (!status || status.status === 'cancelled') return status !== null;
      if (status.status === 'completed' || status.status === 'failed') return false;
      await this.ctx.clock.sleep(POLL_MS);
    }
    return false;
  }

  /** Cancels an execution this node holds. */
  async cancelLocal(ex: ActiveExecution): Promise<boolean> {
    const status = ex.record.status;
    if (status === 'pending' && this.scheduler.dequeue(ex)) {
      try {
        await this.finishQueued(ex);
      } finally {
        ex.markDone();
      }
      return true;
    }
    if (status !== 'running' && status !== 'pending') return false;
    ex.stop('cancel');
    await ex.done;
    return ex.record.status === 'cancelled';
  }

  /** Lists executions, newest first. */
  async listExecutions(options: ListExecutionsOptions = {}): Promise<ExecutionStatus[]> {
    this.assertOpen();
    const { status, workflowId } = options;
    if (status !== undefined && !STATES.has(status)) {
      throw new ValidationError(
        [
          {
            path: 'status',
            message: `expected one of ${[...STATES].join(', ')}, got ${JSON.stringify(status)}`,
          },
        ],
        'Invalid listing',
      );
    }
    const limit = options.limit ?? 100;
    const offset = options.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new ValidationError(
        [{ path: 'limit', message: `expected an integer from 1 to 10000, got ${limit}` }],
        'Invalid listing',
      );
    }
    if (!Number.isInteger(offset) || offset < 0) {
      throw new ValidationError(
        [{ path: 'offset', message: `expected a non-negative integer, got ${offset}` }],
        'Invalid listing',
      );
    }
    const rows = await this.ctx.store.listExecutions({
      limit,
      offset,
      ...(status ? { status } : {}),
      ...(workflowId ? { workflowId } : {}),
    });
    const seen = new Set<string>();
    const out: ExecutionStatus[] = [];
    for (const snap of rows) {
      const s = this.localStatus(snap.execution.id) ?? (await this.fromSnapshot(snap));
      seen.add(s.id);
      if (!status || s.status === status) out.push(s);
    }
    // Local state runs ahead of the store by at most one group commit: add what it knows.
    if (offset === 0 && (!status || !TERMINAL_STATES.has(status))) {
      for (const ex of this.scheduler.active.values()) {
        if (
          seen.has(ex.id) ||
          (status && ex.record.status !== status) ||
          (workflowId && ex.record.workflowId !== workflowId)
        )
          continue;
        out.push(this.build(ex));
      }
      out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    }
    return out.slice(0, limit);
  }

  /** Count of executions matching a filter (for pagination). */
  countExecutions(filter: { status?: ExecutionState; workflowId?: string } = {}): Promise<number> {
    return this.ctx.store.countExecutions(filter);
  }

  /** Stops taking work (called by the orchestrator's close). */
  markClosed(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }

  private build(ex: ActiveExecution): ExecutionStatus {
    return buildStatus(ex.record, ex.steps, ex.plan, this.ctx.loadBalancer.getWorker(ex.id));
  }

  private localStatus(id: string): ExecutionStatus | null {
    const ex = this.scheduler.get(id);
    return ex ? this.build(ex) : null;
  }

  private async fromSnapshot(snap: ExecutionSnapshot): Promise<ExecutionStatus> {
    const r = snap.execution;
    const plan =
      this.definitions.cachedPlan(r.workflowId, r.workflowVersion) ??
      (await this.definitions.version(r.workflowId, r.workflowVersion))?.plan;
    return buildStatus(r, new Map(snap.steps.map((s) => [s.name, s])), plan);
  }

  private async finishQueued(ex: ActiveExecution): Promise<void> {
    const now = this.ctx.clock.now();
    ex.record.status = 'cancelled';
    ex.record.completedAt = now;
    await this.ctx.store.update({ id: ex.id, epoch: ex.record.epoch, set: ex.snapshot() });
    this.ctx.metrics.finished(ex.record.workflowId, 'pending', 'cancelled', now - ex.record.createdAt);
    const base = {
      executionId: ex.id,
      workflowId: ex.record.workflowId,
      durationMs: now - ex.record.createdAt,
    };
    this.ctx.events.emit('execution.cancelled', { ...base, status: 'cancelled' });
    this.ctx.events.emit('execution.finished', { ...base, status: 'cancelled' });
  }

  private waitDone(done: Promise<void>, deadline: number | null): Promise<boolean> {
    if (deadline === null) return done.then(() => true);
    const left = deadline - this.ctx.clock.now();
    if (left <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = this.ctx.clock.setTimer(() => resolve(false), left);
      void done.then(() => {
        timer.cancel();
        resolve(true);
      });
    });
  }
}
