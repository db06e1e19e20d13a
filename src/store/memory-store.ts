/**
 * The in-memory store: state lives in Maps and dies with the process (`durable: false`).
 * It keeps every unfinished execution and the newest `maxFinished` finished ones; older
 * finished executions are evicted (their counts stay in the aggregates), so a long-running
 * process does not grow without bound.
 *
 * Writes apply synchronously and return settled promises, so it adds no scheduling delay to the
 * engine. Callers hand over fresh objects on writes and the store keeps them; reads return
 * copies (records shallow-copied, their arrays copied, a node's `info` deep-copied) so callers
 * cannot alias stored state.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { ConflictError, ExecutionNotFoundError, LeaseLostError, ValidationError } from '../errors.js';
import { optionsIssues } from '../unknown-keys.js';
import { FinishedIndex } from './finished-index.js';
import { listsAfter, newestFirst } from './list-position.js';
import { checkPage } from './page-size.js';
import {
  addAggregates,
  checkAggregateFilter,
  emptyAggregates,
  UNFINISHED_STATES as UNFINISHED,
} from './states.js';
import type {
  AggregateFilter,
  ClaimRequest,
  CreateResult,
  DefinitionRecord,
  ExecutionFilter,
  ExecutionPatch,
  ExecutionRecord,
  ExecutionSnapshot,
  ExecutionUpdate,
  HandOverRequest,
  IdempotencyKeyHolder,
  NodeRecord,
  OwnedRead,
  PurgeRequest,
  StepRecord,
  Store,
  StoreAggregates,
} from './store.js';

function copyExecution(record: ExecutionRecord): ExecutionRecord {
  return { ...record, compensatedSteps: [...record.compensatedSteps] };
}

/** `info` is free-form (nested objects and arrays): deep-copied. */
function copyNode(record: NodeRecord): NodeRecord {
  return { ...record, info: structuredClone(record.info) };
}

function copyStep(record: StepRecord): StepRecord {
  return {
    ...record,
    history: record.history.map((attempt) => ({ ...attempt })),
    compensation: record.compensation && { ...record.compensation },
  };
}

/** Oldest first: the reverse of {@link newestFirst}. */
function oldestFirst(a: ExecutionRecord, b: ExecutionRecord): number {
  return newestFirst(b, a);
}

function byName(a: StepRecord, b: StepRecord): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Finished executions kept (newest first); older ones are evicted. @default 10000 */
  maxFinished?: number | undefined;
}

/** A {@link Store} kept in process memory. Fast, not durable; for tests and `enableWorkflowPersistence: false`. */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly durable = false;
  /** Finished executions kept before the oldest are evicted. */
  readonly maxFinished: number;
  /** Finished executions kept, in the order they finished (eviction) and completed (purge). */
  private readonly finished = new FinishedIndex((id) => this.executions.get(id)?.completedAt);
  /** Counts of evicted executions, overall and per workflow (kept in the aggregates). */
  private readonly evicted = new Map<string | null, StoreAggregates>();
  private readonly definitions = new Map<string, DefinitionRecord>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly steps = new Map<string, Map<string, StepRecord>>();
  private readonly idempotency = new Map<string, string>();
  /** Ids of pending, running and compensating executions (what claims and leases scan). */
  private readonly unfinished = new Set<string>();
  /** The cluster registry: node rows by id. */
  private readonly nodes = new Map<string, NodeRecord>();

  constructor(options: MemoryStoreOptions = {}) {
    const unknown = optionsIssues(options, ['maxFinished'], { path: 'options', expected: 'an object' });
    if (unknown.length > 0) throw new ValidationError(unknown, 'Invalid MemoryStore options');
    const max = options.maxFinished ?? 10_000;
    if (!Number.isInteger(max) || max < 0) {
      throw new ValidationError(
        [
          {
            path: 'maxFinished',
            message: `Expected \`maxFinished\` to be a non-negative integer, got ${describeValue(max)}`,
          },
        ],
        'Invalid MemoryStore options',
      );
    }
    this.maxFinished = max;
  }

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  async saveDefinition(def: DefinitionRecord): Promise<boolean> {
    const key = `${def.id}\u0000${def.version}`;
    if (this.definitions.has(key)) return false;
    this.definitions.set(key, def);
    return true;
  }

  async listDefinitions(workflowId?: string, afterVersion = 0): Promise<DefinitionRecord[]> {
    const out: DefinitionRecord[] = [];
    for (const def of this.definitions.values()) {
      if (workflowId === undefined || (def.id === workflowId && def.version > afterVersion)) {
        out.push({ ...def, steps: [...def.steps], options: { ...def.options } });
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.version - b.version));
  }

  createExecution(execution: ExecutionRecord, steps: StepRecord[] = []): Promise<CreateResult> {
    const key = execution.idempotencyKey ?? null;
    if (key !== null) {
      const existing = this.idempotency.get(key);
      if (existing !== undefined) return Promise.resolve({ id: existing, created: false });
    }
    if (this.executions.has(execution.id)) {
      return Promise.reject(new ConflictError(`Execution '${execution.id}' already exists`));
    }
    if (execution.input === undefined) execution.input = null;
    this.executions.set(execution.id, execution);
    if (key !== null) this.idempotency.set(key, execution.id);
    if (UNFINISHED.has(execution.status)) this.unfinished.add(execution.id);
    else this.markFinished(execution);
    const map = new Map<string, StepRecord>();
    this.steps.set(execution.id, map);
    for (const step of steps) map.set(step.name, normalizeStep(step));
    return Promise.resolve({ id: execution.id, created: true });
  }

  async findByIdempotencyKey(key: string): Promise<IdempotencyKeyHolder | null> {
    const id = this.idempotency.get(key);
    const record = id === undefined ? undefined : this.executions.get(id);
    return record ? { id: record.id, workflowId: record.workflowId } : null;
  }

  update(update: ExecutionUpdate): Promise<void> {
    const record = this.executions.get(update.id);
    if (!record) return Promise.reject(new ExecutionNotFoundError(update.id));
    if (record.epoch !== update.epoch) return Promise.reject(new LeaseLostError(update.id));
    const set = update.set;
    if (set) {
      applyPatch(record, set);
      if (UNFINISHED.has(record.status)) this.unfinished.add(record.id);
      else this.unfinished.delete(record.id);
    }
    if (update.steps) {
      const map = this.steps.get(update.id)!;
      for (const step of update.steps) map.set(step.name, normalizeStep(step));
    }
    // (A running one that kept its completion time, nearly every update, needs no lookup.)
    if (UNFINISHED.has(record.status) && set?.completedAt == null) return Promise.resolve();
    if (!this.finished.has(record.id)) {
      if (!UNFINISHED.has(record.status)) this.markFinished(record);
    } else if (set?.completedAt != null) {
      this.finished.completedAtChanged(record.id, set.completedAt);
    }
    return Promise.resolve();
  }

  /** Keeps a finished execution in eviction and purge order, evicting the oldest past `maxFinished`. */
  private markFinished(record: ExecutionRecord): void {
    this.finished.add(record.id, record.completedAt);
    while (this.finished.size > this.maxFinished && this.evictOldest()) {}
  }

  async getExecution(id: string): Promise<ExecutionSnapshot | null> {
    const record = this.executions.get(id);
    return record ? this.snapshot(record) : null;
  }

  async getExecutions(ids: readonly string[]): Promise<ExecutionSnapshot[]> {
    const records: ExecutionRecord[] = [];
    for (const id of new Set(ids)) {
      const record = this.executions.get(id);
      if (record) records.push(record);
    }
    return records.sort(oldestFirst).map((record) => this.snapshot(record));
  }

  async listExecutions(filter: ExecutionFilter): Promise<ExecutionSnapshot[]> {
    checkPage(filter);
    // Negative values page as in the SQL stores: as 0.
    const offset = Math.max(0, filter.offset ?? 0);
    const { before, after } = filter;
    // With `after`, the page is the executions nearest to it: read upwards, returned newest first.
    const page = this.matching(filter)
      .filter((record) => (!before || listsAfter(record, before)) && (!after || listsAfter(after, record)))
      .sort(after ? oldestFirst : newestFirst)
      .slice(offset, offset + Math.max(0, filter.limit));
    return (after ? page.reverse() : page).map((record) => this.snapshot(record));
  }

  async countExecutions(
    filter: Omit<ExecutionFilter, 'limit' | 'offset' | 'before' | 'after'>,
  ): Promise<number> {
    return this.matching(filter).length;
  }

  async countUnowned(): Promise<number> {
    let n = 0;
    for (const record of this.unfinishedRecords()) if (record.owner === null) n++;
    return n;
  }

  async listOwners(): Promise<string[]> {
    const owners = new Set<string>();
    for (const record of this.unfinishedRecords()) if (record.owner !== null) owners.add(record.owner);
    return [...owners].sort();
  }

  async claimExecutions(request: ClaimRequest): Promise<ExecutionRecord[]> {
    const stale = new Set(request.staleOwners ?? []);
    const only = request.ids ? new Set(request.ids) : null;
    const skip = new Map((request.skip ?? []).map((s) => [`${s.version}:${s.workflowId}`, s]));
    const claimable: ExecutionRecord[] = [];
    for (const record of this.unfinishedRecords()) {
      if (only && !only.has(record.id)) continue;
      const skipped = skip.get(`${record.workflowVersion}:${record.workflowId}`);
      if (skipped) {
        const onlyCompensates = record.cancelRequested || record.status === 'compensating';
        const runs = skipped.runs === true && record.status !== 'compensating';
        const cancelsUnstarted = record.cancelRequested && record.status === 'pending';
        if (!(skipped.compensates && onlyCompensates) && !runs && !cancelsUnstarted) continue;
      }
      // An owner without a lease end holds no lease: claimable, as in the SQL adapters.
      const free =
        record.owner === null ||
        record.leaseUntil === null ||
        record.leaseUntil < request.now ||
        stale.has(record.owner);
      if (free) claimable.push(record);
    }
    claimable.sort(oldestFirst);
    return claimable.slice(0, Math.max(0, request.limit)).map((record) => {
      record.owner = request.owner;
      record.leaseUntil = request.leaseUntil;
      record.epoch += 1;
      if (request.worker !== undefined && record.workerId !== null) record.workerId = request.worker;
      return copyExecution(record);
    });
  }

  async renewLeases(owner: string, leaseUntil: number): Promise<string[]> {
    const renewed: string[] = [];
    for (const record of this.unfinishedRecords()) {
      if (record.owner !== owner) continue;
      record.leaseUntil = leaseUntil;
      renewed.push(record.id);
    }
    return renewed;
  }

  async releaseLeases(owner: string, ids?: readonly string[]): Promise<void> {
    const only = ids ? new Set(ids) : null;
    for (const record of this.unfinishedRecords()) {
      if (record.owner !== owner || (only && !only.has(record.id))) continue;
      record.owner = null;
      record.leaseUntil = null;
    }
  }

  async handOver(request: HandOverRequest): Promise<string[]> {
    const handed: string[] = [];
    for (const id of new Set(request.ids)) {
      const record = this.executions.get(id);
      if (!record || record.owner !== request.from || record.status !== 'pending') continue;
      record.owner = request.to;
      record.leaseUntil = request.leaseUntil;
      record.epoch++;
      handed.push(id);
    }
    return handed;
  }

  async requestCancel(id: string): Promise<ExecutionRecord | null> {
    const record = this.executions.get(id);
    if (!record) return null;
    if (UNFINISHED.has(record.status)) record.cancelRequested = true;
    return copyExecution(record);
  }

  async listCancelRequests(owner: string): Promise<string[]> {
    const records: ExecutionRecord[] = [];
    for (const record of this.unfinishedRecords()) {
      if (record.owner === owner && record.cancelRequested) records.push(record);
    }
    return records.sort(oldestFirst).map((record) => record.id);
  }

  async aggregateByWorkflow(filter: AggregateFilter = {}): Promise<Map<string, StoreAggregates>> {
    return this.aggregateNow(filter);
  }

  /** `aggregateByWorkflow`, synchronously: `readOwned` lists in the same turn. */
  private aggregateNow(filter: AggregateFilter): Map<string, StoreAggregates> {
    const out = new Map<string, StoreAggregates>();
    const only = checkAggregateFilter(filter) === 'owner';
    for (const record of this.executions.values()) {
      if (filter.exceptOwner !== undefined && record.owner === filter.exceptOwner) continue;
      if (only && record.owner !== filter.owner) continue;
      addTo(aggregatesIn(out, record.workflowId), record);
    }
    // Evicted executions keep no owner: counted as anyone's (not as the given owner's).
    if (only) return out;
    for (const [id, gone] of this.evicted) if (id !== null) addAggregates(aggregatesIn(out, id), gone);
    return out;
  }

  async aggregate(workflowId?: string): Promise<StoreAggregates> {
    const out = emptyAggregates();
    for (const record of this.executions.values()) {
      if (workflowId !== undefined && record.workflowId !== workflowId) continue;
      addTo(out, record);
    }
    const gone = this.evicted.get(workflowId ?? null);
    if (gone) addAggregates(out, gone);
    return out;
  }

  /** Drops the execution that finished first, keeping its counts. False when none is left. */
  private evictOldest(): boolean {
    const id = this.finished.shiftOldest();
    if (id === undefined) return false;
    this.drop(id);
    return true;
  }

  /**
   * Deletes the finished executions that completed first (those that completed at the same time
   * in the order they finished) and before `before`, at most `limit`; reads only those.
   */
  async purgeFinished(request: PurgeRequest): Promise<number> {
    const gone = this.finished.takeCompletedBefore(request.before, request.limit);
    for (const id of gone) this.drop(id);
    return gone.length;
  }

  async countFinished(before: number): Promise<number> {
    return this.finished.countCompletedBefore(before);
  }

  /** Deletes a finished execution, its steps and its idempotency key, keeping its counts. */
  private drop(id: string): void {
    this.finished.delete(id);
    const record = this.executions.get(id);
    if (!record) return;
    addTo(aggregatesIn(this.evicted, null), record);
    addTo(aggregatesIn(this.evicted, record.workflowId), record);
    this.executions.delete(id);
    this.steps.delete(id);
    if (record.idempotencyKey !== null && this.idempotency.get(record.idempotencyKey) === id) {
      this.idempotency.delete(record.idempotencyKey);
    }
  }

  async heartbeat(node: NodeRecord): Promise<void> {
    this.nodes.set(node.id, node);
  }

  async listNodes(since?: number): Promise<NodeRecord[]> {
    const out: NodeRecord[] = [];
    for (const node of this.nodes.values()) {
      if (since === undefined || node.lastHeartbeat >= since) out.push(copyNode(node));
    }
    return out.sort((a, b) =>
      a.startedAt !== b.startedAt ? a.startedAt - b.startedAt : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
  }

  async removeNode(id: string): Promise<void> {
    this.nodes.delete(id);
  }

  async loadByOwner(): Promise<Record<string, number>> {
    // No prototype: an owner named `constructor` or `__proto__` is an entry like any other.
    const out: Record<string, number> = Object.create(null);
    for (const record of this.unfinishedRecords()) {
      if (record.owner !== null) out[record.owner] = (out[record.owner] ?? 0) + 1;
    }
    return out;
  }

  async listOwned(owner: string, limit: number): Promise<string[]> {
    return this.ownedOldestFirst(owner)
      .slice(0, Math.max(0, limit))
      .map((record) => record.id);
  }

  /** Counted and listed with no await in between: nothing can change the executions meanwhile. */
  async readOwned(owner: string): Promise<OwnedRead> {
    const byWorkflow = this.aggregateNow({ owner });
    return { byWorkflow, unfinished: this.ownedOldestFirst(owner).map(copyExecution) };
  }

  /** The unfinished executions `owner` holds, oldest first (the records themselves). */
  private ownedOldestFirst(owner: string): ExecutionRecord[] {
    const records: ExecutionRecord[] = [];
    for (const record of this.unfinishedRecords()) if (record.owner === owner) records.push(record);
    return records.sort(oldestFirst);
  }

  private *unfinishedRecords(): Generator<ExecutionRecord> {
    for (const id of this.unfinished) yield this.executions.get(id)!;
  }

  private matching(
    filter: Omit<ExecutionFilter, 'limit' | 'offset' | 'before' | 'after'>,
  ): ExecutionRecord[] {
    const out: ExecutionRecord[] = [];
    for (const record of this.executions.values()) {
      if (filter.status !== undefined && record.status !== filter.status) continue;
      if (filter.workflowId !== undefined && record.workflowId !== filter.workflowId) continue;
      out.push(record);
    }
    return out;
  }

  private snapshot(record: ExecutionRecord): ExecutionSnapshot {
    const steps = [...(this.steps.get(record.id)?.values() ?? [])].map(copyStep).sort(byName);
    return { execution: copyExecution(record), steps };
  }
}

/** The aggregates under `key` in `map`, created empty on first use. */
function aggregatesIn<K>(map: Map<K, StoreAggregates>, key: K): StoreAggregates {
  let agg = map.get(key);
  if (!agg) {
    agg = emptyAggregates();
    map.set(key, agg);
  }
  return agg;
}

function addTo(out: StoreAggregates, record: ExecutionRecord): void {
  out.byStatus[record.status]++;
  if (record.compensated) out.compensated++;
  out.stepsRun += record.stepsRun;
  out.stepsRetried += record.stepsRetried;
}

/** Undefined outputs are stored as null, as the durable stores do. */
/** The keys {@link applyPatch} sets: every key of an `ExecutionPatch`. */
type PatchKey =
  | 'workflowVersion'
  | 'status'
  | 'error'
  | 'outcome'
  | 'startedAt'
  | 'completedAt'
  | 'workerId'
  | 'cursor'
  | 'transitions'
  | 'lastStep'
  | 'deadlineAt'
  | 'cancelRequested'
  | 'compensated'
  | 'stepsRun'
  | 'stepsRetried'
  | 'completionSeq'
  | 'compensatedSteps'
  | 'owner'
  | 'leaseUntil'
  | 'epoch';
/**
 * Empty while {@link PatchKey} names every key of an `ExecutionPatch`; a key it misses becomes a
 * required `never` here, so passing a patch to {@link applyPatch} no longer compiles.
 */
type UnsetPatchKeys = Record<Exclude<keyof ExecutionPatch, PatchKey>, never>;

/**
 * Sets on `record` every field `set` gives (an undefined one is no change). Written out, not a loop
 * over the patch's keys: a keyed store of a different key each time is a slow, megamorphic one
 * (≈0.2 µs per update of the runner's 14 fields, against ≈0.03 µs for these).
 */
function applyPatch(record: ExecutionRecord, set: ExecutionPatch & UnsetPatchKeys): void {
  if (set.workflowVersion !== undefined) record.workflowVersion = set.workflowVersion;
  if (set.status !== undefined) record.status = set.status;
  if (set.error !== undefined) record.error = set.error;
  if (set.outcome !== undefined) record.outcome = set.outcome;
  if (set.startedAt !== undefined) record.startedAt = set.startedAt;
  if (set.completedAt !== undefined) record.completedAt = set.completedAt;
  if (set.workerId !== undefined) record.workerId = set.workerId;
  if (set.cursor !== undefined) record.cursor = set.cursor;
  if (set.transitions !== undefined) record.transitions = set.transitions;
  if (set.lastStep !== undefined) record.lastStep = set.lastStep;
  if (set.deadlineAt !== undefined) record.deadlineAt = set.deadlineAt;
  if (set.cancelRequested !== undefined) record.cancelRequested = set.cancelRequested;
  if (set.compensated !== undefined) record.compensated = set.compensated;
  if (set.stepsRun !== undefined) record.stepsRun = set.stepsRun;
  if (set.stepsRetried !== undefined) record.stepsRetried = set.stepsRetried;
  if (set.completionSeq !== undefined) record.completionSeq = set.completionSeq;
  if (set.compensatedSteps !== undefined) record.compensatedSteps = set.compensatedSteps;
  if (set.owner !== undefined) record.owner = set.owner;
  if (set.leaseUntil !== undefined) record.leaseUntil = set.leaseUntil;
  if (set.epoch !== undefined) record.epoch = set.epoch;
}

function normalizeStep(step: StepRecord): StepRecord {
  if (step.output === undefined) step.output = null;
  return step;
}
