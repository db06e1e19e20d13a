/**
 * The store port: everything the engine persists, in domain terms. No SQL, connections or
 * transactions cross this line. Adapters: memory, SQLite (embedded default), PostgreSQL.
 *
 * Writes of one execution carry the `epoch` of the lease its writer holds; a store refuses a
 * write whose epoch is not the current one (fencing), so a node that lost its lease cannot
 * overwrite the new owner's work.
 * @module
 */
import type { ErrorInfo } from '../errors.js';
import type { ExecutionState, StepState } from '../types.js';
import type { ListPosition } from './list-position.js';

/** A stored definition version. `body` is the definition's JSON (steps and options). */
export interface DefinitionRecord {
  id: string;
  version: number;
  steps: unknown[];
  options: Record<string, unknown>;
  createdAt: number;
}

/** The durable state of one execution. Times are epoch milliseconds. */
export interface ExecutionRecord {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: ExecutionState;
  input: unknown;
  /** Error that failed (or is failing) the execution. */
  error: ErrorInfo | null;
  /** While compensating: the terminal state it ends in. */
  outcome: 'failed' | 'cancelled' | null;
  createdAt: number;
  /** When it first started running. */
  startedAt: number | null;
  completedAt: number | null;
  workerId: string | null;
  idempotencyKey: string | null;
  /** Index of the next top-level step to run. */
  cursor: number;
  /** Steps entered so far (loop guard). */
  transitions: number;
  /** Name of the step that completed last (its output is `result` for conditions). */
  lastStep: string | null;
  /** Absolute workflow deadline. */
  deadlineAt: number | null;
  cancelRequested: boolean;
  /** Whether compensation ran (or runs) for this execution. */
  compensated: boolean;
  /** Steps run (once per step visit, whatever its attempts), and steps that needed a retry (for the retry rate). */
  stepsRun: number;
  stepsRetried: number;
  /** Counter that orders step completions (compensation runs in reverse of it). */
  completionSeq: number;
  /** Steps compensated so far, in order. */
  compensatedSteps: string[];
  /** Lease: the node that runs it, until when, and the fencing epoch. */
  owner: string | null;
  leaseUntil: number | null;
  epoch: number;
}

/** One attempt of a step, kept for timelines. */
export interface AttemptRecord {
  attempt: number;
  startedAt: number;
  completedAt?: number;
  error?: ErrorInfo;
  retryAt?: number;
}

/** Compensation progress of a step. */
export interface CompensationRecord {
  status: 'running' | 'completed' | 'failed';
  attempts: number;
  startedAt: number;
  completedAt?: number;
  error?: ErrorInfo;
  /** When the next compensation attempt starts, after a failed one. */
  nextAttemptAt?: number;
  /** Attempts cut short by a shutdown or crash (not counted against the retries). */
  interruptions?: number;
  /**
   * Of `interruptions`, those its process did not cause by stopping, which `maxStepInterruptions`
   * does not count: a clean shutdown (`close`) stopped the attempt, or the node ran it again itself
   * after a store failure made it give the execution up.
   */
  excused?: number;
}

/** The durable state of one step or branch of an execution. */
export interface StepRecord {
  executionId: string;
  /** Step name (unique in its workflow, branches included). */
  name: string;
  /** Parallel step a branch belongs to, else null. */
  parent: string | null;
  status: StepState;
  /** Attempts started in the current visit. */
  attempts: number;
  /** Times the step was entered (jumps may revisit it). */
  visits: number;
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
  output: unknown;
  error: ErrorInfo | null;
  /** When a scheduled retry starts. */
  nextAttemptAt: number | null;
  /** When a durable timer (`delay`) fires. */
  timerAt: number | null;
  /** Order of completion within the execution. */
  completionSeq: number | null;
  /** Branch a conditional step took. */
  decision: 'then' | 'else' | null;
  history: AttemptRecord[];
  compensation: CompensationRecord | null;
  /** Attempts cut short by a crash or shutdown (they do not count against the retry budget). */
  interruptions?: number;
  /**
   * Of `interruptions`, those its process did not cause by stopping, which `maxStepInterruptions`
   * does not count: a clean shutdown (`close`) stopped the attempt, or the node ran it again itself
   * after a store failure made it give the execution up.
   */
  excused?: number;
  /**
   * While a new visit runs: the output of the step's previous, completed visit, which expressions
   * still see (as `result` when the step follows itself, and as `steps.<name>.output`) until this
   * visit completes.
   */
  previousOutput?: unknown;
  /**
   * A remote worker's action: how long the tasks of this visit waited in the hub for a worker to
   * take them, ms, summed over its attempts (as this process saw them). Written with the step's
   * end, for the performance figures read from the store; absent for an action run in process.
   */
  queuedMs?: number;
  /**
   * Set on an earlier completed visit of step `of`, kept under its own name (`<of>#<visit>`)
   * when a jump came back to the step: its compensation must still run on failure.
   */
  of?: string;
}

/** Fields of an execution that an update may change. */
export type ExecutionPatch = Partial<
  Omit<ExecutionRecord, 'id' | 'workflowId' | 'input' | 'createdAt' | 'idempotencyKey'>
>;

/** One atomic change to an execution: a patch and whole step records, under a lease epoch. */
export interface ExecutionUpdate {
  id: string;
  /** Epoch the writer holds; the write is refused with `LeaseLostError` if it is stale. */
  epoch: number;
  set?: ExecutionPatch;
  /** Step records to insert or replace. */
  steps?: StepRecord[];
}

/** How a new execution was placed, for an adapter's wake-up hints (see `Store.subscribe`). */
export interface CreatePlacement {
  /**
   * The node creating the execution placed it on itself (the record's `owner` is its id): it
   * starts it without a hint, and no other node acts on one, so an adapter sends none for it.
   */
  placedHere?: boolean;
}

/** Result of `createExecution`. */
export interface CreateResult {
  id: string;
  /** false when an execution with the same idempotency key already existed (its id is returned). */
  created: boolean;
}

/** The execution that holds an idempotency key (see `Store.findByIdempotencyKey`). */
export interface IdempotencyKeyHolder {
  id: string;
  workflowId: string;
}

/** Filter of `listExecutions`. */
export interface ExecutionFilter {
  status?: ExecutionState;
  workflowId?: string;
  limit: number;
  offset?: number;
  /**
   * Only executions listed after this place (created earlier, or as early with a lower id); the
   * offset counts from there. No execution need be stored at it.
   */
  before?: ListPosition;
  /**
   * Only executions listed before this place (created later, or as late with a higher id), and of
   * those the `limit` nearest to it (the offset counts from there too): the page before a page,
   * read upwards from the place, returned newest first as every listing. No execution need be
   * stored at it. The engine never passes it with `before`; a store given both lists between them.
   * A custom store that ignores it: the engine's listings with `after` are refused (`UNSUPPORTED`).
   */
  after?: ListPosition;
}

/** An execution with its steps. */
export interface ExecutionSnapshot {
  execution: ExecutionRecord;
  steps: StepRecord[];
}

/** Request to take over runnable executions. */
export interface ClaimRequest {
  owner: string;
  leaseUntil: number;
  now: number;
  /** Owners known to be dead (their leases count as expired). */
  staleOwners?: string[];
  /** Only these executions (e.g. a cancel of an orphan). */
  ids?: string[];
  /** Workflow versions the claimer lacks handlers for: their executions are not claimed (see {@link SkippedVersion}). */
  skip?: SkippedVersion[];
  limit: number;
  /**
   * In cluster mode, the claimer's node id: a claimed execution stored under a worker (one that
   * started on another node) is stored under this one, where it runs from now on. Its `workerId`
   * named the node it was taken from until it started here, which `orchestrator status` and
   * `GET /v1/executions/:id` showed meanwhile. A store may leave it out (the engine sets it when
   * the execution starts here).
   */
  worker?: string;
}

/**
 * A workflow version a claimer cannot run for want of handlers. With `compensates` it has the
 * compensations (only actions are missing): executions that only compensate — a cancel was
 * requested, or they are compensating — are claimed all the same. With `runs` it has what an
 * execution that is not compensating needs (a claimer that runs no compensation,
 * `enableCompensation: false`, lacking only compensations): all but the compensating ones are.
 * Whatever the flags, a pending execution with a cancel requested is claimed: it never started, so
 * it ends cancelled without any handler.
 */
export interface SkippedVersion {
  workflowId: string;
  version: number;
  compensates: boolean;
  runs?: boolean;
}

/** Counts the metrics start from. */
export interface StoreAggregates {
  byStatus: Record<ExecutionState, number>;
  compensated: number;
  stepsRun: number;
  stepsRetried: number;
}

/** Which executions `aggregateByWorkflow` counts. */
export interface AggregateFilter {
  /** Leave out the executions this owner holds (finished ones it ran included). */
  exceptOwner?: string;
  /** Only the executions this owner holds (finished ones it ran included). Not with `exceptOwner`. */
  owner?: string;
}

/**
 * What an owner holds, read at once (see `Store.readOwned`): the same executions counted and
 * listed, whatever other processes write meanwhile.
 */
export interface OwnedRead {
  /** What `aggregateByWorkflow({ owner })` returns: the owner's executions, finished ones included. */
  byWorkflow: Map<string, StoreAggregates>;
  /** Its unfinished executions, oldest first: those `listOwned` lists (all of them). */
  unfinished: ExecutionRecord[];
}

/** What `purgeFinished` deletes. */
export interface PurgeRequest {
  /** Finished executions that completed before this time (epoch ms). */
  before: number;
  /** At most this many in one call (one short transaction). */
  limit: number;
}

/** A node of a cluster as its heartbeats report it. Times are epoch milliseconds. */
export interface NodeRecord {
  id: string;
  startedAt: number;
  lastHeartbeat: number;
  /** Executions the node runs, and holds queued, by its own count. */
  running: number;
  queued: number;
  /** Its `maxConcurrentWorkflows`. */
  capacity: number;
  /** Free-form details (host, pid, version, HTTP address). */
  info: Record<string, unknown>;
}

/** What every store adapter implements. */
export interface Store {
  /** `memory`, `sqlite` or `postgres`. */
  readonly kind: string;
  /** Whether state survives the process. */
  readonly durable: boolean;
  /** Opens connections and runs migrations. */
  init(): Promise<void>;
  /** Flushes pending writes and closes. */
  close(): Promise<void>;
  /**
   * Closes without waiting for a server that stopped answering: ends every connection at once, so
   * calls under way (a `close` among them) and pending writes fail, and nothing more is written.
   * `Orchestrator.close` calls it when the store did not let it finish in time. Stores without a
   * server to wait on leave it out.
   */
  abandon?(): Promise<void>;
  /**
   * Whether the store's server answers a trivial query within `ms`, on a connection of its own
   * (not behind the store's busy ones). `Orchestrator.close`, while the store is slow to take its
   * last writes, asks it before it abandons the store: a server that answers is slow, not gone, and
   * the close waits on. Stores with `abandon` may have it; without it they are abandoned after the wait.
   */
  serverAnswers?(ms: number): Promise<boolean>;

  /**
   * Stores a definition version if it is new. Returns false, and changes nothing, when that id and
   * version exist already (another node stored it first): versions are never replaced.
   */
  saveDefinition(def: DefinitionRecord): Promise<boolean>;
  /**
   * All versions of one workflow (or of all workflows), oldest version first; with `afterVersion`
   * (and a `workflowId`), only that workflow's versions above it — what a reader that knows the
   * versions up to it has not read yet. An adapter may ignore it and list them all.
   */
  listDefinitions(workflowId?: string, afterVersion?: number): Promise<DefinitionRecord[]>;

  /**
   * Stores a new execution. When `idempotencyKey` is already taken, nothing is written and the
   * existing execution's id is returned with `created: false`. `placement` only tells an adapter
   * with wake-up hints whether other nodes need one (see {@link CreatePlacement}).
   */
  createExecution(
    execution: ExecutionRecord,
    steps?: StepRecord[],
    placement?: CreatePlacement,
  ): Promise<CreateResult>;
  /**
   * Optional: the stored execution that holds `key` (the one a `createExecution` with that key
   * returns with `created: false`), whatever its state; null when none does (never used, or its
   * execution was purged or evicted: the key is free). The engine asks only when an
   * `executeWorkflow` with a key would be refused (unknown workflow, a latest version this release
   * cannot run, no worker or node to place it on), so that a retry with a key already used gets
   * the id it was given instead of the refusal. A store shared by several processes should first
   * wait for a create with `key` another process has under way (written, not yet committed), as
   * `createExecution` with that key would: the retry then gets that create's id once it commits
   * (the PostgreSQL store does). A store without it: such a retry is refused, as before this
   * method existed.
   */
  findByIdempotencyKey?(key: string): Promise<IdempotencyKeyHolder | null>;
  /**
   * Applies one atomic update. Adapters may commit concurrent updates together (group commit);
   * the promise resolves only after the update is durable.
   */
  update(update: ExecutionUpdate): Promise<void>;
  /**
   * An execution with its step records, or null for an unknown id. This read, `getExecutions` and
   * `listExecutions` each see one state of the store: an execution never comes with step records
   * of another commit than its own row (one statement, one read transaction, or no await between).
   */
  getExecution(id: string): Promise<ExecutionSnapshot | null>;
  /** The executions of `ids` that exist, oldest first (ids it does not know are left out). */
  getExecutions(ids: readonly string[]): Promise<ExecutionSnapshot[]>;
  /** Newest first. */
  listExecutions(filter: ExecutionFilter): Promise<ExecutionSnapshot[]>;
  /** How many executions match a filter (for pagination). */
  countExecutions(filter: Omit<ExecutionFilter, 'limit' | 'offset' | 'before' | 'after'>): Promise<number>;

  /** Owners of unfinished executions. */
  listOwners(): Promise<string[]>;
  /**
   * Takes over unfinished executions that have no owner, an expired lease, or a stale owner
   * (oldest first), bumping their epoch. Returns them with the new owner and epoch.
   */
  claimExecutions(request: ClaimRequest): Promise<ExecutionRecord[]>;
  /**
   * Extends the leases of an owner's unfinished executions; returns the ids of those it extended,
   * in any order. It may leave out a row it cannot update at once (PostgreSQL with one write lane
   * skips a row another session holds locked): the engine counts only the leases listed as renewed,
   * and tries again at its next round. (A custom store written before this returned how many it
   * extended: the engine still takes that, but cannot tell which row such a store skipped.)
   */
  renewLeases(owner: string, leaseUntil: number): Promise<string[]>;
  /**
   * Gives up an owner's unfinished executions (only those of `ids` when given) so others can claim
   * them at once.
   */
  releaseLeases(owner: string, ids?: readonly string[]): Promise<void>;
  /**
   * Hands executions `from` holds over to the node `to`, as placement does (owner `to`, lease until
   * `leaseUntil`, a new epoch): only those of `ids` still `pending` (never started) and held by
   * `from`, whose ids it returns, in any order. Wakes `to` where the store can. Optional: without
   * it, a cluster node keeps its queued backlog (see `backlog-shedding.ts`).
   */
  handOver?(request: HandOverRequest): Promise<string[]>;
  /** Marks an execution for cancellation (seen by its owner). Returns its state, or null. */
  requestCancel(id: string): Promise<ExecutionRecord | null>;
  /** Unfinished executions of an owner with a cancel request. */
  listCancelRequests(owner: string): Promise<string[]>;

  /** Counts by status, compensations and steps run / retried, of all executions or one workflow's. */
  aggregate(workflowId?: string): Promise<StoreAggregates>;
  /**
   * The aggregates of every workflow that has executions, by workflow id, in one read. With
   * `exceptOwner`, of the executions that owner does not hold (unowned ones included): what a node
   * reads to learn what the other processes sharing the store did; with `owner`, of the executions
   * that owner holds (what a restarted node with a configured id held before).
   */
  aggregateByWorkflow(filter?: AggregateFilter): Promise<Map<string, StoreAggregates>>;
  /**
   * Optional: whether another process (connection) may have written to the store since the last
   * call (the first call: since `init`). Lets a node skip re-reading the aggregates when nobody else wrote;
   * a store without it is re-read on every metrics refresh.
   */
  changedElsewhere?(): Promise<boolean>;
  /**
   * Optional: rejects with `STORE_UNAVAILABLE` when the store can no longer take the writes it
   * took before, though it still answers reads (a SQLite file deleted, moved or replaced since it
   * opened: every write is refused until a restart). `GET /readyz` asks it beside a read.
   */
  checkWritable?(): Promise<void>;

  /**
   * Optional (retention): deletes at most `limit` finished executions (completed, failed,
   * cancelled; never pending, running or compensating) that completed before `before`, with their
   * steps and input, and returns how many it deleted. Their counts move to the aggregates, under
   * the owner that held them, in the same transaction, so `aggregate`/`aggregateByWorkflow` do not
   * drop; their idempotency keys become free. Idempotent and safe to run from several processes at
   * once (each execution is deleted, and counted, once). A store without it keeps every execution.
   */
  purgeFinished?(request: PurgeRequest): Promise<number>;
  /**
   * Optional (retention): how many executions `purgeFinished` would delete with this `before` and
   * no limit: the finished ones that completed before it. Reads only; what `orchestrator purge`
   * without `--yes` reports. A store without it: that report is refused (`UNSUPPORTED`).
   */
  countFinished?(before: number): Promise<number>;

  /** Inserts or replaces a node's row (the cluster registry). */
  heartbeat(node: NodeRecord): Promise<void>;
  /** Nodes whose last heartbeat is at or after `since` (all when absent), by `startedAt` then id. */
  listNodes(since?: number): Promise<NodeRecord[]>;
  /** Removes a node's row (a node leaving gracefully). */
  removeNode(id: string): Promise<void>;
  /**
   * Whether the node `owner` is known to have stopped (its process ended) though its leases have
   * not run out: its executions are taken over at once. Optional; without it, or when it cannot
   * tell (false), the leases decide. The SQLite store tells from a lock each node holds while it
   * lives (see `sqlite/node-locks.ts`), for every process on the host, in any pid namespace.
   */
  ownerGone?(owner: string): boolean;
  /**
   * Unfinished executions per owner (owners with none are absent; unowned ones are not counted).
   * Owners are node ids, free text: only the object's own entries are read (`constructor` or
   * `__proto__` may be one), so build it without a prototype (`Object.create(null)`).
   */
  loadByOwner(): Promise<Record<string, number>>;
  /**
   * Optional: how many unfinished executions no node owns (those a node let go as it closed, or
   * released because it could not run them). Cluster mode sizes a node's share of the orphans with
   * it: without it, unowned executions are claimed only as fast as free slots allow, so new work
   * that keeps the slots busy passes them by.
   */
  countUnowned?(): Promise<number>;
  /**
   * Optional, for a store shared by nodes on several hosts: one reading of the store's own clock
   * against this process's (`Date.now()`), as `offsetMs` (the store's time minus this process's,
   * at the middle of the read) and `roundTripMs` (how long the read took: the offset is exact to
   * within half of it). Cluster nodes keep time by it, so a host whose clock is off does not
   * shift leases, heartbeats and deadlines (see `engine/clock-alignment.ts`).
   */
  clockOffset?(): Promise<{ offsetMs: number; roundTripMs: number }>;
  /**
   * Optional, with `subscribe`: tells the node `owner` (its subscription, as a `cancel` hint) that
   * a cancel of one of its executions was requested, so that it applies it now rather than at its
   * next housekeeping round. A hint only: the stored request is what counts.
   */
  notifyCancel?(owner: string): Promise<void>;
  /** Ids of an owner's unfinished executions, oldest first, at most `limit`. */
  listOwned(owner: string, limit: number): Promise<string[]>;
  /**
   * Optional: `aggregateByWorkflow({ owner })` and the owner's unfinished executions (as records,
   * all of them), in ONE read (one transaction or snapshot): what a node restarted under a
   * configured id counts as its own at start and takes up again, so that each execution is counted
   * once whatever another node claims or places meanwhile. A store without it is read in two reads,
   * as before this method existed: an execution another node claims between them is counted twice
   * in that node's metrics (the store is not affected). An answer of another shape, or with another
   * owner's executions, fails the start (`UNSUPPORTED`).
   */
  readOwned?(owner: string): Promise<OwnedRead>;

  /**
   * Optional: wake-up hints from other processes sharing the store. `onNotify` is called soon after
   * another node created executions it placed on a node other than itself (`placed`, with the node
   * they were placed on; see {@link CreatePlacement}) or released leases (`any`), and may be called
   * at other times too (`any`, e.g. after the adapter reconnected, since hints can be lost). It is a
   * hint ONLY: hints can be missed (a dropped connection, a proxy in between), so correctness still
   * comes from polling (`claimExecutions` on a timer); a hint merely lets that poll run early.
   * Resolves after the first attempt to start listening (an adapter retries a failed one in the
   * background) with the function that ends the subscription. Adapters without a cross-process
   * channel (memory, SQLite) leave it out; PostgreSQL uses LISTEN/NOTIFY.
   */
  subscribe?(channel: 'work', onNotify: (hint: WorkHint) => void): Promise<() => Promise<void>>;
}

/** What `Store.handOver` hands over, from which node to which. */
export interface HandOverRequest {
  from: string;
  to: string;
  ids: readonly string[];
  leaseUntil: number;
}

/**
 * What a wake-up hint says happened: `placed` — executions were created, owned by `owner` (which
 * should start them; no owner: not known, any node may own some); `any` — anything else (leases
 * released, hints possibly missed): run the whole housekeeping round; `cancel` — a cancel of an
 * execution `owner` holds was requested (that node runs its round, which applies it).
 */
export type WorkHint =
  | { kind: 'placed'; owner?: string }
  | { kind: 'any' }
  /** A cancel was requested of an execution `owner` holds (see `Store.notifyCancel`). */
  | { kind: 'cancel'; owner: string };
