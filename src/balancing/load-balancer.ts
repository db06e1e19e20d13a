/**
 * `LoadBalancer` (SPEC §4): assigns each execution to the worker with the fewest active
 * executions. Synchronous and allocation-free on the hot path (`assignWorkflow`,
 * `completeWorkflow`): one linear scan over the workers plus one map operation.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { echo } from '../echo.js';
import { type Issue, NoWorkersError, ValidationError } from '../errors.js';
import { checkNonEmptyString } from '../non-empty-string.js';
import { plural } from '../plural.js';
import { unstorableText } from '../storable-text.js';
import { assertReadable, unknownKeyIssues } from '../unknown-keys.js';

/** @throws ValidationError naming `path` unless `value` is a safe integer of at least `min`. */
function checkCount(value: unknown, path: string, min: number, method: string): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    const expected = min === 0 ? 'a non-negative integer' : 'an integer';
    throw new ValidationError(
      [{ path, message: `Expected \`${path}\` to be ${expected}, got ${describeValue(value)}` }],
      `Invalid ${method} arguments`,
    );
  }
}

/**
 * @throws ValidationError naming `path` when `load` (the worker's load with the change) would pass
 *   `Number.MAX_SAFE_INTEGER`, past which counts are no longer exact.
 */
function checkLoadFits(slot: WorkerSlot, load: number, value: number, path: string, method: string): void {
  if (load <= Number.MAX_SAFE_INTEGER) return;
  throw new ValidationError(
    [
      {
        path,
        message: `Expected \`${path}\` to keep the load of worker ${echo(slot.id)} at most ${Number.MAX_SAFE_INTEGER}, got ${value} on a load of ${slot.active + slot.external}`,
      },
    ],
    `Invalid ${method} arguments`,
  );
}

/**
 * @throws ValidationError naming `method` and `path` unless `id` is a non-empty string that every
 *   store keeps as it is: the engine stores it as the workerId of what it places there, and
 *   PostgreSQL would change U+0000 or an unpaired surrogate.
 */
function checkWorkerId(id: unknown, path: string, method: string): asserts id is string {
  checkNonEmptyString(id, path, method);
  const unstorable = unstorableText(id);
  if (unstorable !== null) {
    throw new ValidationError(
      [{ path, message: `${unstorable}; no store can keep it as is` }],
      `Invalid ${method} arguments`,
    );
  }
}

/** Options of {@link LoadBalancer}. */
export interface LoadBalancerOptions {
  /** Worker ids, in registration order (which breaks ties). Duplicates are ignored. @default ['worker_1', 'worker_2', 'worker_3'] */
  workers?: readonly string[] | undefined;
  /**
   * Called once per execution that {@link LoadBalancer.removeWorker} moves, after the balancer's
   * state is updated. If it throws, the remaining calls still run and the first error is rethrown.
   */
  onReassign?: ((executionId: string, from: string, to: string) => void) | undefined;
}

interface WorkerSlot {
  readonly id: string;
  active: number;
  /** Load reported from elsewhere (cluster nodes' own executions), not tracked by id here. */
  external: number;
}

/** The deviation from the mean load `isBalanced()` allows by default, as a fraction of the mean. */
export const DEFAULT_BALANCE_THRESHOLD = 0.3;

/**
 * Least-loaded assignment of executions to workers.
 *
 * Note that the records it returns are plain objects: a worker id that looks like an integer
 * (`'1'`) is listed before the others, as JavaScript orders such keys first.
 */
export class LoadBalancer {
  private readonly slots: WorkerSlot[] = [];
  private readonly byId = new Map<string, WorkerSlot>();
  private readonly assignments = new Map<string, WorkerSlot>();
  private readonly onReassign: ((executionId: string, from: string, to: string) => void) | undefined;

  /**
   * @throws ValidationError when `workers` is not an array of non-empty strings, or an option is
   *   unknown (a misspelt key is refused by name, not ignored).
   */
  constructor(options: LoadBalancerOptions = {}) {
    assertReadable(options, ['workers', 'onReassign'], 'Invalid LoadBalancer options');
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ValidationError(
        [{ path: 'options', message: `Expected \`options\` to be an object, got ${describeValue(options)}` }],
        'Invalid LoadBalancer options',
      );
    }
    const unknown = unknownKeyIssues(options, ['workers', 'onReassign']);
    if (unknown.length > 0) throw new ValidationError(unknown, 'Invalid LoadBalancer options');
    const { workers = ['worker_1', 'worker_2', 'worker_3'], onReassign } = options;
    // Every problem in one error, each with what it got.
    const issues: Issue[] = [];
    if (!Array.isArray(workers)) {
      issues.push({
        path: 'workers',
        message: `Expected \`workers\` to be an array of worker ids (non-empty strings), got ${describeValue(workers)}`,
      });
    } else {
      workers.forEach((id: unknown, i) => {
        const path = `workers[${i}]`;
        if (typeof id !== 'string' || id.length === 0) {
          issues.push({
            path,
            message: `Expected \`${path}\` to be a non-empty string, got ${describeValue(id)}`,
          });
          return;
        }
        // The engine stores it as the workerId of what it places there (as addWorker checks).
        const unstorable = unstorableText(id);
        if (unstorable !== null) issues.push({ path, message: `${unstorable}; no store can keep it as is` });
      });
    }
    if (onReassign !== undefined && typeof onReassign !== 'function') {
      issues.push({
        path: 'onReassign',
        message: `Expected \`onReassign\` to be a function, got ${describeValue(onReassign)}`,
      });
    }
    if (issues.length > 0) throw new ValidationError(issues, 'Invalid LoadBalancer options');
    for (const id of workers) this.addWorker(id);
    this.onReassign = onReassign;
  }

  /**
   * Assigns `executionId` to the worker with the fewest active executions (ties: the first in
   * registration order) and returns that worker. An id that is already active keeps its worker
   * and is not counted twice.
   * @throws NoWorkersError when no worker is registered.
   */
  assignWorkflow(executionId: string): string {
    const current = this.assignments.get(executionId);
    if (current !== undefined) return current.id;
    checkNonEmptyString(executionId, 'executionId', 'assignWorkflow');
    const slot = this.leastLoaded();
    if (slot === undefined) throw new NoWorkersError();
    slot.active++;
    this.assignments.set(executionId, slot);
    return slot.id;
  }

  /**
   * Marks `executionId` finished; its worker's load drops at once. `true` if it was active.
   * @throws ValidationError when `executionId` is not a non-empty string.
   */
  completeWorkflow(executionId: string): boolean {
    const slot = this.assignments.get(executionId);
    if (slot === undefined) {
      checkNonEmptyString(executionId, 'executionId', 'completeWorkflow');
      return false;
    }
    this.assignments.delete(executionId);
    slot.active--;
    return true;
  }

  /**
   * The worker `executionId` is assigned to, while it is active.
   * @throws ValidationError when `executionId` is not a non-empty string.
   */
  getWorker(executionId: string): string | undefined {
    const slot = this.assignments.get(executionId);
    if (slot === undefined) checkNonEmptyString(executionId, 'executionId', 'getWorker');
    return slot?.id;
  }

  /** Number of registered workers. */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Worker ids in registration order. */
  getWorkers(): string[] {
    return this.slots.map((s) => s.id);
  }

  /**
   * The load of `workerId`: its active executions, external load included; 0 for an unknown worker
   * (as `getLoadDistribution()[workerId]` without building the whole distribution).
   * @throws ValidationError when `workerId` is not a non-empty string.
   */
  getLoad(workerId: string): number {
    const slot = this.byId.get(workerId);
    if (slot !== undefined) return slot.active + slot.external;
    checkNonEmptyString(workerId, 'workerId', 'getLoad');
    return 0;
  }

  /** Active executions across all workers (external load included). */
  activeCount(): number {
    let external = 0;
    for (const s of this.slots) external += s.external;
    return this.assignments.size + external;
  }

  /** `{ workerId: activeExecutions }` for every worker, idle ones included, in registration order. */
  getLoadDistribution(): Record<string, number> {
    return Object.fromEntries(this.slots.map((s) => [s.id, s.active + s.external]));
  }

  /**
   * The least-loaded worker, without assigning anything (cluster placement: the chosen node
   * then runs the execution and attaches it there). With `avoid`: the least-loaded worker it does
   * not reject, or, when it rejects every worker, the least-loaded of all.
   * @throws NoWorkersError when no worker is registered.
   * @throws ValidationError when `avoid` is given and is not a function.
   */
  pickWorker(avoid?: (workerId: string) => boolean): string {
    if (avoid !== undefined && typeof avoid !== 'function') {
      throw new ValidationError(
        [{ path: 'avoid', message: `Expected \`avoid\` to be a function, got ${describeValue(avoid)}` }],
        'Invalid pickWorker arguments',
      );
    }
    const slot = (avoid && this.leastLoaded(avoid)) || this.leastLoaded();
    if (slot === undefined) throw new NoWorkersError();
    return slot.id;
  }

  /**
   * Records `executionId` as active on `worker` (registered first if unknown). Returns the worker.
   * @throws ValidationError when `executionId` or `worker` is not a non-empty string, or `worker`
   *   is an id no store can keep (as {@link addWorker} refuses).
   */
  attach(executionId: string, worker: string): string {
    checkNonEmptyString(executionId, 'executionId', 'attach');
    checkWorkerId(worker, 'worker', 'attach');
    this.addWorker(worker);
    const slot = this.byId.get(worker) as WorkerSlot;
    const current = this.assignments.get(executionId);
    if (current === slot) return worker;
    if (current) current.active--;
    slot.active++;
    this.assignments.set(executionId, slot);
    return worker;
  }

  /**
   * Sets the load of `worker` that runs elsewhere (a cluster node's executions, known from the
   * store), counted beside the executions tracked here. Unknown workers are ignored.
   * @throws ValidationError when `worker` is not a non-empty string, `load` is not a
   *   non-negative integer (a count of executions), or the worker's load would pass
   *   `Number.MAX_SAFE_INTEGER`; the load is left as it was then.
   */
  setExternalLoad(worker: string, load: number): void {
    checkNonEmptyString(worker, 'worker', 'setExternalLoad');
    checkCount(load, 'load', 0, 'setExternalLoad');
    const slot = this.byId.get(worker);
    if (slot === undefined) return;
    checkLoadFits(slot, slot.active + load, load, 'load', 'setExternalLoad');
    slot.external = load;
  }

  /**
   * Adds to a worker's external load (a placement on another node, until the next refresh); the
   * load never drops below 0. Unknown workers are ignored.
   * @throws ValidationError when `worker` is not a non-empty string, `delta` is not an integer,
   *   or the worker's load would pass `Number.MAX_SAFE_INTEGER`; the load is left as it was then.
   */
  addExternalLoad(worker: string, delta: number): void {
    checkNonEmptyString(worker, 'worker', 'addExternalLoad');
    checkCount(delta, 'delta', Number.MIN_SAFE_INTEGER, 'addExternalLoad');
    const slot = this.byId.get(worker);
    if (slot === undefined) return;
    const external = Math.max(0, slot.external + delta);
    checkLoadFits(slot, slot.active + external, delta, 'delta', 'addExternalLoad');
    slot.external = external;
  }

  /**
   * Whether every worker's load is within `threshold × mean` of the mean load. `true` when all
   * workers are idle or none is registered.
   * @param threshold Allowed deviation as a fraction of the mean. @default 0.3
   * @throws ValidationError when `threshold` is not a non-negative number.
   */
  isBalanced(threshold = DEFAULT_BALANCE_THRESHOLD): boolean {
    if (typeof threshold !== 'number' || !(threshold >= 0)) {
      throw new ValidationError(
        [
          {
            path: 'threshold',
            message: `Expected \`threshold\` to be a non-negative number, got ${describeValue(threshold)}`,
          },
        ],
        'Invalid isBalanced arguments',
      );
    }
    const total = this.activeCount();
    if (total === 0 || this.slots.length === 0) return true;
    const mean = total / this.slots.length;
    // The tolerance absorbs float error when a load sits exactly on the boundary.
    const allowed = threshold * mean + 1e-9;
    return this.slots.every((s) => Math.abs(s.active + s.external - mean) <= allowed);
  }

  /**
   * A balance score in 0..1: `1 − m / M`, where `m` is how many executions would have to move to
   * make the placement as even as whole executions allow, and `M` that count when every execution
   * sits on one worker. 1 means the placement is as even as it can be (one execution on two
   * workers, 2-1-1 for four on three); 0 means everything is on one worker; in between the score
   * tells how far the placement is from that worst case: 2-1-0 scores 0.5 (one move of the
   * worst's two), 10-8-12 scores 0.9 (2 of 20). 1 when all workers are idle, when none is
   * registered, or when no placement could be worse (`M` = 0).
   */
  balanceScore(): number {
    const n = this.slots.length;
    if (n === 0) return 1;
    const loads = this.slots.map((s) => s.active + s.external).sort((a, b) => b - a);
    let total = 0;
    for (const load of loads) total += load;
    const even = Math.floor(total / n);
    const withOneMore = total % n;
    // The busiest workers take the `withOneMore` larger shares of the even placement: the fewest moves.
    let moves = 0;
    for (const [i, load] of loads.entries()) {
      const share = i < withOneMore ? even + 1 : even;
      if (load > share) moves += load - share;
    }
    const worst = total - (withOneMore > 0 ? even + 1 : even);
    if (worst === 0) return 1;
    // One division of whole numbers: the nearest double to the exact score (0.9, not 0.8999…).
    return (worst - moves) / worst;
  }

  /**
   * Registers a worker at the end of the registration order. A worker that is already registered
   * is left as it is (no error): returns `false` then, `true` when the worker was added.
   * @throws ValidationError when `id` is not a non-empty string.
   */
  addWorker(id: string): boolean {
    checkWorkerId(id, 'id', 'addWorker');
    if (this.byId.has(id)) return false;
    const slot: WorkerSlot = { id, active: 0, external: 0 };
    this.slots.push(slot);
    this.byId.set(id, slot);
    return true;
  }

  /**
   * Unregisters a worker and moves each of its active executions (in assignment order) to the
   * least-loaded remaining worker. Returns `{ executionId: newWorkerId }` (`{}` for an idle or
   * unknown worker).
   * @throws NoWorkersError when `id` is the last worker and still has active executions; the
   *   worker stays registered then.
   * @throws ValidationError when `id` is not a non-empty string.
   */
  removeWorker(id: string): Record<string, string> {
    checkNonEmptyString(id, 'id', 'removeWorker');
    const slot = this.byId.get(id);
    if (slot === undefined) return {};
    if (slot.active > 0 && this.slots.length === 1) {
      throw new NoWorkersError(
        `Cannot remove worker ${echo(id)}: it has ${plural(slot.active, 'active execution')} and no other worker can take them`,
      );
    }
    this.slots.splice(this.slots.indexOf(slot), 1);
    this.byId.delete(id);
    const moves: [executionId: string, to: string][] = [];
    if (slot.active > 0) {
      for (const [executionId, assigned] of this.assignments) {
        if (assigned !== slot) continue;
        const target = this.leastLoaded() as WorkerSlot;
        target.active++;
        this.assignments.set(executionId, target);
        moves.push([executionId, target.id]);
      }
      slot.active = 0;
    }
    this.notify(id, moves);
    return Object.fromEntries(moves);
  }

  /** The first worker (in registration order) with the fewest active executions, `avoid`ed ones left out. */
  private leastLoaded(avoid?: (workerId: string) => boolean): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const s of this.slots) {
      if (avoid?.(s.id)) continue;
      if (best === undefined || s.active + s.external < best.active + best.external) best = s;
    }
    return best;
  }

  private notify(from: string, moves: readonly [string, string][]): void {
    if (this.onReassign === undefined) return;
    let firstError: unknown;
    let failed = false;
    for (const [executionId, to] of moves) {
      try {
        this.onReassign(executionId, from, to);
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
    if (failed) throw firstError;
  }
}
