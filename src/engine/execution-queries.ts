/**
 * The read side of the engine: execution status (from this node's memory while it runs an
 * execution, else from the store), listings that merge both, and waiting for a terminal state.
 * @module
 */
import { timerTimeLeft } from '../clock.js';
import { describeValue } from '../describe-value.js';
import { ClosedError, ExecutionNotFoundError, TimeoutError, ValidationError } from '../errors.js';
import { listsAfter } from '../store/list-position.js';
import type { ExecutionSnapshot } from '../store/store.js';
import type { ExecutionState, ExecutionStatus, ListExecutionsOptions } from '../types.js';
import { EXECUTION_STATES, TERMINAL_STATES } from '../types.js';
import { assertReadable, NO_OPTIONS, optionsIssues } from '../unknown-keys.js';
import type { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';
import type { DefinitionRegistry } from './definitions.js';
import { checkExecutionId } from './execution-id-arg.js';
import { checkHonoured, listCursor } from './list-cursor.js';
import type { Scheduler } from './scheduler.js';
import { buildStatus } from './status.js';

/** The most executions one `listExecutions` call returns (its `limit`). */
export const MAX_LIST_LIMIT = 10_000;

const STATES: ReadonlySet<string> = new Set(EXECUTION_STATES);

/** The most rows one read of a listing takes from a SQLite store (see `listExecutions`). */
export const SQLITE_LIST_CHUNK = 200;

/** How often a wait on an execution another node runs re-reads the store, ms. */
export const POLL_MS = 100;

/** Options of `waitForCompletion`. */
export interface WaitOptions {
  /** Seconds to wait; past it the promise rejects with a `TimeoutError`. @default no limit */
  timeout?: number | undefined;
}

const LIST_HEADING = 'Invalid listExecutions options';
const WAIT_HEADING = 'Invalid waitForCompletion options';

/** Checks a listing filter: an object whose `status` is a state and `workflowId` a non-empty string. */
function checkFilter(
  filter: unknown,
  heading: string,
  known: readonly string[] = ['status', 'workflowId'],
): asserts filter is { status?: ExecutionState; workflowId?: string } {
  assertReadable(filter, known, heading);
  const issues = optionsIssues(filter, known, { path: '', expected: 'an object of filters' });
  if (filter === null || typeof filter !== 'object') throw new ValidationError(issues, heading);
  const { status, workflowId } = filter as { status?: unknown; workflowId?: unknown };
  if (status !== undefined && (typeof status !== 'string' || !STATES.has(status))) {
    issues.push({
      path: 'status',
      message: `expected one of ${[...STATES].join(', ')}, got ${describeValue(status)}`,
    });
  }
  if (workflowId !== undefined && (typeof workflowId !== 'string' || workflowId.length === 0)) {
    issues.push({
      path: 'workflowId',
      message: `expected a non-empty string, got ${describeValue(workflowId)}`,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, heading);
}

export class ExecutionQueries {
  private readonly ctx: EngineContext;
  private readonly definitions: DefinitionRegistry;
  private readonly scheduler: Scheduler;
  private readonly isClosed: () => boolean;
  /** Timed waits on executions this node runs, by execution (see `onDone`). */
  private readonly doneWaiters = new WeakMap<ActiveExecution, Set<() => void>>();

  constructor(
    ctx: EngineContext,
    definitions: DefinitionRegistry,
    scheduler: Scheduler,
    isClosed: () => boolean,
  ) {
    this.ctx = ctx;
    this.definitions = definitions;
    this.scheduler = scheduler;
    this.isClosed = isClosed;
  }

  private assertOpen(): void {
    if (this.isClosed()) throw new ClosedError();
  }

  /** Current status, or null for an unknown id. */
  async getExecutionStatus(executionId: string): Promise<ExecutionStatus | null> {
    this.assertOpen();
    checkExecutionId(executionId, 'getExecutionStatus');
    const local = this.localStatus(executionId);
    if (local) return local;
    const snapshot = await this.ctx.store.getExecution(executionId);
    return snapshot ? this.fromSnapshot(snapshot) : null;
  }

  /** Waits for a terminal state. Rejects with `TimeoutError` after `timeout` seconds. */
  async waitForCompletion(executionId: string, options: WaitOptions = NO_OPTIONS): Promise<ExecutionStatus> {
    const { clock } = this.ctx;
    checkExecutionId(executionId, 'waitForCompletion');
    const shape = optionsIssues(options, ['timeout'], {
      path: 'options',
      expected: 'an object such as { timeout }',
    });
    if (shape.length > 0) throw new ValidationError(shape, WAIT_HEADING);
    const timeout = options.timeout;
    if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0))) {
      throw new ValidationError(
        [
          {
            path: 'timeout',
            message: `expected a non-negative number of seconds, got ${describeValue(timeout)}`,
          },
        ],
        WAIT_HEADING,
      );
    }
    // Counted on the timers' monotonic time (README, Clock steps): a system clock stepped forward
    // while the wait is under way does not end it early.
    const left = timeout === undefined ? null : timerTimeLeft(clock, timeout * 1000);
    for (;;) {
      const ex = this.scheduler.get(executionId);
      if (ex) {
        // A terminal state is being stored or is stored (the runner is letting go): only its last
        // write is left, so it is awaited whatever the timeout (also when the timeout passed while
        // that write was under way).
        // (Without a timeout, `ex.done` itself is awaited: no promise and callback made on it.)
        let finished = true;
        if (left === null || TERMINAL_STATES.has(ex.record.status)) await ex.done;
        else finished = await this.waitDone(ex, left);
        if (!finished && TERMINAL_STATES.has(ex.record.status)) {
          await ex.done;
          finished = true;
        }
        if (finished && TERMINAL_STATES.has(ex.record.status)) return this.build(ex);
      } else {
        const status = await this.getExecutionStatus(executionId);
        // This node took it up while the store was read (an adoption): the read may show the end
        // its runner stored but has not yet told (`execution.finished`); that runner is awaited.
        if (this.scheduler.get(executionId)) continue;
        if (!status) throw new ExecutionNotFoundError(executionId);
        if (TERMINAL_STATES.has(status.status)) return status;
        if (this.isClosed()) throw new ClosedError();
        const pause = left === null ? POLL_MS : Math.min(POLL_MS, left());
        if (pause > 0) await clock.sleep(pause);
      }
      if (left !== null && left() <= 0) {
        throw new TimeoutError(`Execution ${executionId} did not finish within ${timeout}s`);
      }
    }
  }

  /** Lists executions, newest first. */
  async listExecutions(options: ListExecutionsOptions = {}): Promise<ExecutionStatus[]> {
    this.assertOpen();
    checkFilter(options, LIST_HEADING, ['status', 'workflowId', 'limit', 'offset', 'before', 'after']);
    const { status, workflowId } = options;
    const before = options.before === undefined ? undefined : listCursor(options.before, 'before');
    const after = options.after === undefined ? undefined : listCursor(options.after, 'after');
    if (before && after) {
      throw new ValidationError(
        [{ path: 'after', message: 'expected no after with before: a listing pages one way at a time' }],
        LIST_HEADING,
      );
    }
    const key = after ? 'after' : 'before';
    const cursor = before ?? after;
    const limit = options.limit ?? 100;
    const offset = options.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new ValidationError(
        [
          {
            path: 'limit',
            message: `expected an integer from 1 to ${MAX_LIST_LIMIT}, got ${describeValue(limit)}`,
          },
        ],
        LIST_HEADING,
      );
    }
    // A safe integer: the stores cannot skip more rows than that (SQLite failed with "datatype
    // mismatch", reported as the store being unavailable).
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new ValidationError(
        [
          {
            path: 'offset',
            message: `expected a non-negative integer, at most ${Number.MAX_SAFE_INTEGER}, got ${describeValue(offset)}`,
          },
        ],
        LIST_HEADING,
      );
    }
    if (cursor && offset !== 0) {
      throw new ValidationError(
        [{ path: 'offset', message: `expected no offset (or 0) with ${key}, got ${describeValue(offset)}` }],
        LIST_HEADING,
      );
    }
    const seen = new Set<string>();
    const out: ExecutionStatus[] = [];
    let position = cursor;
    // SQLite reads synchronously: a listing of thousands is read a chunk at a time, on by cursor,
    // and the event loop turns between chunks (timers, heartbeats, HTTP requests).
    const chunked = this.ctx.store.kind === 'sqlite' && limit > SQLITE_LIST_CHUNK;
    let skip = offset;
    for (;;) {
      const want = chunked ? Math.min(SQLITE_LIST_CHUNK, limit - out.length) : limit;
      const rows = await this.ctx.store.listExecutions({
        limit: want,
        offset: skip,
        ...(status ? { status } : {}),
        ...(workflowId ? { workflowId } : {}),
        ...(position ? (after ? { after: position } : { before: position }) : {}),
      });
      if (position) await checkHonoured(this.ctx.store, rows, position, key);
      const read: ExecutionStatus[] = [];
      for (const snap of rows) {
        const s = this.localStatus(snap.execution.id) ?? (await this.fromSnapshot(snap));
        seen.add(s.id);
        if (!status || s.status === status) read.push(s);
      }
      // With `after` the reads go upwards: each is newer than what is in `out`.
      if (after) out.unshift(...read);
      else out.push(...read);
      // Rows whose state this node has moved on from the filtered one are left out: a page from
      // the start or a cursor reads on past them, so that it comes out short only at the end (and
      // what this node adds below is never placed past rows not read yet).
      const edge = (after ? rows[0] : rows[rows.length - 1])?.execution;
      if ((skip !== 0 && !chunked) || rows.length < want || out.length >= limit || !edge) break;
      position = { createdAt: edge.createdAt, id: edge.id };
      skip = 0;
      if (chunked) await new Promise((resolve) => setImmediate(resolve));
    }
    // Local state runs ahead of the store by at most one group commit: add what it knows.
    if (offset === 0 && (!status || !TERMINAL_STATES.has(status))) {
      for (const ex of this.scheduler.active.values()) {
        if (
          seen.has(ex.id) ||
          (before && !listsAfter(ex.record, before)) ||
          (after && !listsAfter(after, ex.record)) ||
          (status && ex.record.status !== status) ||
          (workflowId && ex.record.workflowId !== workflowId)
        )
          continue;
        out.push(this.build(ex));
      }
      out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    }
    // With `after`, the page is the executions nearest to it: the oldest of those read.
    return after ? out.slice(-limit) : out.slice(0, limit);
  }

  /** Count of executions matching a filter (for pagination). */
  async countExecutions(filter: { status?: ExecutionState; workflowId?: string } = {}): Promise<number> {
    this.assertOpen();
    checkFilter(filter, 'Invalid countExecutions filter');
    return this.ctx.store.countExecutions(filter);
  }

  /**
   * Status of an execution this node holds. One still queued has no worker, as the store has none
   * for it: the node holding it named itself (cluster mode) where every other node named none.
   */
  build(ex: ActiveExecution): ExecutionStatus {
    const worker = ex.record.status === 'pending' ? undefined : this.ctx.loadBalancer.getWorker(ex.id);
    return buildStatus(ex.record, ex.steps, ex.plan, worker);
  }

  private localStatus(id: string): ExecutionStatus | null {
    const ex = this.scheduler.get(id);
    return ex ? this.build(ex) : null;
  }

  private async fromSnapshot(snap: ExecutionSnapshot): Promise<ExecutionStatus> {
    const r = snap.execution;
    const plan =
      this.definitions.cachedPlan(r.workflowId, r.workflowVersion) ??
      (await this.definitions.version(r.workflowId, r.workflowVersion))?.plan ??
      undefined;
    return buildStatus(r, new Map(snap.steps.map((s) => [s.name, s])), plan);
  }

  /** Whether `ex` was let go of by its runner before `timeLeft()` ms are over. */
  private waitDone(ex: ActiveExecution, timeLeft: () => number): Promise<boolean> {
    const left = timeLeft();
    if (left <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = this.ctx.clock.setTimer(() => {
        leave();
        resolve(false);
      }, left);
      const leave = this.onDone(ex, () => {
        timer.cancel();
        resolve(true);
      });
    });
  }

  /**
   * Calls `fn` once `ex` is done; returns what stops that. One callback on `ex.done` serves every
   * waiter of an execution, so a wait that times out leaves nothing behind (a caller waiting with a
   * timeout in a loop would otherwise pile up callbacks until the execution ends).
   */
  private onDone(ex: ActiveExecution, fn: () => void): () => void {
    let waiters = this.doneWaiters.get(ex);
    if (!waiters) {
      const set = new Set<() => void>();
      waiters = set;
      this.doneWaiters.set(ex, set);
      void ex.done.then(() => {
        this.doneWaiters.delete(ex);
        for (const waiter of set) waiter();
      });
    }
    const set = waiters;
    set.add(fn);
    return () => set.delete(fn);
  }
}
