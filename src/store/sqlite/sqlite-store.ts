/**
 * The SQLite store: the embedded, durable default (`sqlite:<path>`).
 *
 * One connection per store, WAL with `synchronous=FULL` by default (the WAL file cut back to
 * {@link WAL_SIZE_LIMIT} after a burst), `busy_timeout` 5 s, foreign keys on. Every write goes
 * through {@link GroupCommit}: the writes enqueued in one tick share ONE
 * `BEGIN IMMEDIATE … COMMIT`, and each caller's promise resolves only after that commit (while
 * another connection holds the write lock, the commit waits for it on timers, not in the driver:
 * see `busy-wait.ts`). An
 * operation that fails (a fenced update, a duplicate id) is rejected alone while the others
 * commit (see `batch-commit.ts`). Reads run directly on the connection and see
 * committed state; a read of several statements (an execution and its steps, a listing and the
 * steps of what it lists) runs them in one read transaction, so it sees one snapshot of the file
 * whatever other connections commit meanwhile. Several stores (processes) may share one file; the write lock serializes them.
 * @module
 */
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describeValue } from '../../describe-value.js';
import { type Issue, OrchestratorError, ValidationError } from '../../errors.js';
import { isDeadLegacyLocalOwner } from '../../local-owners.js';
import { unstorableText } from '../../storable-text.js';
import { optionsIssues } from '../../unknown-keys.js';
import { filterArgs } from '../filter-args.js';
import { failed, GroupCommit, type GroupCommitStats, type Outcome } from '../group-commit.js';
import { checkPage } from '../page-size.js';
import { checkAggregateFilter } from '../states.js';
import type {
  AggregateFilter,
  ClaimRequest,
  CreateResult,
  DefinitionRecord,
  ExecutionFilter,
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
} from '../store.js';
import { batchCommitter } from './batch-commit.js';
import { BUSY_TIMEOUT_MS, isBusy, LOCK_HELD, untilLockFree } from './busy-wait.js';
import { aggregateExceptInChunks } from './chunked-aggregate.js';
import { endsInDirectory, fileInDirectory } from './directory-path.js';
import { sqliteStoreError } from './errors.js';
import { OpenedFilesCheck, openedFiles } from './file-identity.js';
import { makeDirectory } from './make-directory.js';
import { loadMigrations, migrate, recordedVersions } from './migrate.js';
import { LOCK_RUN_KEY, NodeLocks } from './node-locks.js';
import { checkStorePath } from './open-path.js';
import { applyOp, mergeOps, type Op, opKey } from './operations.js';
import {
  definitionParams,
  insertParams,
  nodeParams,
  splitPatch,
  stepJson,
  toAggregates,
  toAggregatesByWorkflow,
  toDefinition,
  toExecution,
  toJson,
  toNode,
  toOwnerLoad,
  toStep,
} from './rows.js';
import {
  type AggregateRow,
  type DefinitionRow,
  type ExecutionRowWithInput,
  ensureListIndexes,
  type NodeRow,
  type OwnerLoadRow,
  prepareStatements,
  SETTLED_STATUSES,
  type Statements,
  type StepRow,
} from './statements.js';
import { refuseTakenNamesOfPending } from './taken-names.js';

/**
 * Bytes the WAL file is cut back to when it starts over after a checkpoint (`journal_size_limit`).
 * Without it SQLite keeps the file at the largest size it ever reached (a large output, a big
 * batch) until the store closes; the usual WAL, checkpointed at 1,000 pages, stays below it.
 */
export const WAL_SIZE_LIMIT = 16 * 1024 * 1024;

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * `FULL` fsyncs every commit, so an acknowledged write survives power loss (on macOS with
   * F_FULLFSYNC, which flushes the drive's cache too). `NORMAL` (WAL) only survives application
   * crashes: the last commits can roll back after an OS crash.
   * @default 'FULL'
   */
  synchronous?: 'FULL' | 'NORMAL' | undefined;
}

/**
 * Switches `db` to WAL, trying again while another connection holds a lock the switch needs: a
 * process opening a new file at the moment another migrates it got SQLITE_BUSY at once (SQLite
 * does not call the busy handler for this switch when waiting could deadlock).
 */
async function toWal(db: Database.Database): Promise<void> {
  let busy: unknown;
  await untilLockFree(
    () => {
      try {
        db.pragma('journal_mode = WAL');
        return true;
      } catch (error) {
        if (!isBusy(error)) throw error;
        busy = error;
        return LOCK_HELD;
      }
    },
    () => busy,
  );
}

/** `path` with every link resolved, or as given made absolute when that fails. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The checks of {@link SqliteStore}'s constructor arguments. */
function checkSqliteArguments(path: unknown, options: unknown): void {
  const issues: Issue[] = [];
  // No file name holds U+0000 (opening would fail as if the disk were down) or a lone surrogate
  // (a file named by its replacement bytes was made, then found missing: STORE_UNAVAILABLE).
  const unstorable = typeof path === 'string' ? unstorableText(path) : null;
  if (typeof path !== 'string') {
    issues.push({ path: 'path', message: `Expected a file path or ':memory:', got ${describeValue(path)}` });
  } else if (unstorable !== null) {
    issues.push({ path: 'path', message: `Expected a file path, got one that ${unstorable}` });
  } else if (endsInDirectory(path)) {
    // SQLite would make a file of the directory named (`data/` → a file `data`).
    issues.push({
      path: 'path',
      message: `Expected a database file path, got '${path}', which ends in a directory: name a file in it, e.g. '${fileInDirectory(path)}'`,
    });
  }
  issues.push(...optionsIssues(options, ['synchronous'], { path: 'options', expected: 'an object' }));
  const synchronous = (options as SqliteStoreOptions | null)?.synchronous;
  if (
    issues.length === 0 &&
    synchronous !== undefined &&
    synchronous !== 'FULL' &&
    synchronous !== 'NORMAL'
  ) {
    issues.push({
      path: 'synchronous',
      message: `Expected 'FULL' or 'NORMAL', got ${describeValue(synchronous)}`,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid SqliteStore arguments');
}

/**
 * Puts back the journal mode a file had before an open that failed switched it to WAL (a migration
 * that failed on a file holding tables of something else): best effort, without waiting for a
 * lock another connection holds.
 */
/**
 * Of a list or count statement family (`general`, `settled`: see `Statements.listSettled`), the one
 * for filter shape `index` (see `FILTERS`) and a filter of `status`.
 */
function forFilter(
  general: Database.Statement[],
  settled: (Database.Statement | undefined)[],
  index: number,
  status: string | undefined,
): Database.Statement {
  return (
    (status !== undefined && SETTLED_STATUSES.has(status) ? settled[index] : undefined) ?? general[index]!
  );
}

function restoreJournalMode(db: Database.Database, before: unknown): void {
  if (typeof before !== 'string' || !/^(delete|truncate|persist)$/.test(before)) return;
  try {
    db.pragma('busy_timeout = 0');
    db.pragma(`journal_mode = ${before}`);
  } catch {
    // Left in WAL: still a valid SQLite file for every reader.
  }
}

/** What an attempt to take the write lock without waiting answers (see `withoutWaiting`). */
type Attempted<T> = { held: false; value: T } | { held: true; error: unknown };

/** The connection settings in effect, e.g. to refuse unsafe ones at startup. */
export interface SqliteSettings {
  journalMode: string;
  synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  foreignKeys: boolean;
  busyTimeoutMs: number;
  /** `fullfsync`: syncs use F_FULLFSYNC where the system has it (macOS); on with `FULL`. */
  fullFsync: boolean;
}

/** A {@link Store} in one SQLite file, durable on disk (not in memory). See the module comment. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  /** False for a database in memory (`:memory:`, or `''`): it is gone with the process. */
  readonly durable: boolean;
  private db: Database.Database | null = null;
  private statements: Statements | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly batcher = new GroupCommit<Op>({
    commit: (batch) => this.commit(batch),
    key: opKey,
    merge: mergeOps,
  });
  private commitBatch: ((batch: readonly Op[]) => Outcome[]) | null = null;
  /** Runs its argument in one read transaction (`BEGIN DEFERRED`): one snapshot (see `snapshot`). */
  private inReadTransaction: ((body: () => unknown) => unknown) | null = null;
  /** The holder of a key, read under the write lock (see `findByIdempotencyKey`). */
  private holderOfKey: ((key: string) => unknown) | null = null;
  /** `data_version` when the store opened, then at the last `changedElsewhere` call. */
  private dataVersion: number | null = null;
  /** The files opened (none in memory): a write is refused once a path names another, or none. */
  private opened: OpenedFilesCheck | null = null;
  /** See {@link aggregateReader}: undefined until first asked for. */
  private reader: Database.Database | null | undefined;
  /** Settles when the last read on {@link reader} ended. */
  private readerTurn: Promise<unknown> = Promise.resolve();
  /** The locks that tell other processes this store's nodes live (on disk only). */
  private nodeLocks: NodeLocks | null = null;

  /**
   * @param path database file (its directory is created if missing), or `:memory:` for tests.
   * @param options see {@link SqliteStoreOptions}.
   * @throws ValidationError when `path` is not a string or ends in a directory (`data/`, `.`,
   *   `..`), `options` is not an object, has an unknown key, or `synchronous` is neither 'FULL' nor 'NORMAL' (a misspelt value or key is
   *   refused, not taken as the default FULL).
   */
  constructor(
    readonly path: string,
    private readonly options: SqliteStoreOptions = {},
  ) {
    checkSqliteArguments(path, options);
    this.durable = path !== ':memory:' && path !== '';
  }

  /** The schema migrations `init` applied (their numbers), none when the file was up to date. */
  migrationsApplied: readonly number[] = [];

  async init(): Promise<void> {
    if (this.db) return;
    if (this.closed) throw new OrchestratorError('CLOSED', 'The store is closed');
    let db: Database.Database | undefined;
    let journalBefore: unknown;
    const onDisk = this.durable;
    try {
      if (onDisk) checkStorePath(this.path);
      // A new folder's parent is synced too: a crash could lose the folder, database and all.
      if (onDisk) makeDirectory(dirname(this.path));
      const migrations = loadMigrations();
      db = new Database(this.path);
      // busy_timeout first: switching to WAL needs a lock another process may hold.
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // A file of another tool's, or one a newer release migrated, is refused before anything is
      // written to it: switching to WAL is a change of the file, kept after it is closed.
      // One read snapshot: a table another process's migration made meanwhile is seen recorded.
      const file = db;
      const recorded = file.transaction(() => {
        const versions = recordedVersions(file, migrations);
        refuseTakenNamesOfPending(file, migrations, versions);
        return versions;
      })();
      journalBefore = db.pragma('journal_mode', { simple: true });
      await toWal(db);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      const full = this.options.synchronous !== 'NORMAL';
      db.pragma(`synchronous = ${full ? 'FULL' : 'NORMAL'}`);
      // macOS's fsync() leaves the data in the drive's cache: only F_FULLFSYNC keeps FULL's promise
      // there (a no-op on other systems).
      db.pragma(`fullfsync = ${full ? 'ON' : 'OFF'}`);
      db.pragma('foreign_keys = ON');
      // What was read above is still right to skip the write lock: versions are only ever added
      // (one a newer release added is refused above), and the migration re-reads them under it.
      this.migrationsApplied = migrate(db, migrations, Date.now(), recorded);
      ensureListIndexes(db);
      this.statements = prepareStatements(db);
      // Absolute, as SQLite holds it: a relative path names this file after a chdir too.
      this.opened = onDisk ? new OpenedFilesCheck(this.path, openedFiles(resolve(this.path))) : null;
      // The file's own path, as SQLite follows links: every process finds the same folder.
      this.nodeLocks = onDisk ? new NodeLocks(realPath(this.path)) : null;
    } catch (error) {
      if (db) restoreJournalMode(db, journalBefore);
      db?.close();
      throw sqliteStoreError(error, this.path, 'Cannot open SQLite store');
    }
    const statements = this.statements;
    this.commitBatch = batchCommitter(db, (op: Op) => applyOp(statements, op));
    this.inReadTransaction = db.transaction((body: () => unknown) => body());
    const holder = (key: string) => statements.holderOfIdempotencyKey.get(key);
    // A file opened read-only cannot take the write lock; no create is written through it either.
    this.holderOfKey = db.readonly ? holder : db.transaction(holder).immediate;
    this.dataVersion = db.pragma('data_version', { simple: true }) as number;
    this.db = db;
  }

  /** Closes the store once, whoever calls: a call made while one runs resolves when it ends. */
  close(): Promise<void> {
    this.closing ??= this.shut();
    return this.closing;
  }

  /**
   * The read-only connection of {@link aggregateExceptInChunks}, opened on first use; null for a
   * file not on disk, one deleted or replaced since it was opened (a new connection would open
   * another file), or when it cannot be opened (the main connection reads instead).
   */
  private aggregateReader(): Database.Database | null {
    if (this.reader !== undefined) return this.reader;
    if (!this.durable || this.closed || !(this.opened?.unchanged() ?? false)) return null;
    try {
      const reader = new Database(this.path, { readonly: true, fileMustExist: true });
      reader.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.reader = reader;
    } catch {
      this.reader = null;
    }
    return this.reader;
  }

  private async shut(): Promise<void> {
    this.closed = true;
    this.reader?.close();
    // Closed: reads go through `read`, which refuses them as the store's.
    this.reader = null;
    await this.batcher.close();
    this.nodeLocks?.releaseAll();
    if (this.db) {
      try {
        // Keeps the planner's statistics fresh (cheap; https://sqlite.org/pragma.html#pragma_optimize).
        // Best effort: it writes, so a read-only file or another process's write lock (not waited
        // for) must not fail close(); nor is it written once a file was deleted or replaced (a
        // -wal another process now uses would take frames of this file).
        if (!this.db.readonly && (this.opened?.unchanged() ?? true)) {
          this.db.pragma('busy_timeout = 0');
          this.db.pragma('optimize');
        }
      } catch {
        // Skipped: nothing to lose.
      } finally {
        this.db.close();
      }
    }
    this.db = null;
    this.statements = null;
    this.holderOfKey = null;
    this.inReadTransaction = null;
  }

  /** The pragmas in effect on this connection. */
  settings(): SqliteSettings {
    if (!this.db) throw this.notOpen();
    const db = this.db;
    const sync = Number(db.pragma('synchronous', { simple: true }));
    return {
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[sync] ?? 'FULL',
      foreignKeys: Number(db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
      fullFsync: Number(db.pragma('fullfsync', { simple: true })) === 1,
    };
  }

  /** Group-commit counters: transactions run and operations they carried. */
  get commitStats(): GroupCommitStats {
    return this.batcher.stats;
  }

  saveDefinition(def: DefinitionRecord): Promise<boolean> {
    try {
      return this.write({ kind: 'definition', params: definitionParams(def) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async listDefinitions(workflowId?: string, afterVersion = 0): Promise<DefinitionRecord[]> {
    return this.read((s) => {
      const rows = (
        workflowId === undefined ? s.allDefinitions.all() : s.definitionsOf.all(workflowId, afterVersion)
      ) as DefinitionRow[];
      return rows.map(toDefinition);
    });
  }

  createExecution(execution: ExecutionRecord, steps?: StepRecord[]): Promise<CreateResult> {
    try {
      const { id } = execution;
      const input = toJson(execution.input, id, 'input');
      const params = insertParams(execution);
      return this.write({
        kind: 'create',
        id,
        key: execution.idempotencyKey ?? null,
        params,
        input,
        steps: stepJson(id, steps),
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Read under the write lock (`BEGIN IMMEDIATE`, waiting for it like a write, on timers): a
   * create with `key` another process has under way (its transaction open) is waited for, and
   * what it committed is seen. Asked only when a retry with a key would be refused.
   */
  async findByIdempotencyKey(key: string): Promise<IdempotencyKeyHolder | null> {
    const find = this.holderOfKey;
    if (!find) throw this.notOpen();
    let held: unknown;
    const attempt = () =>
      this.read(() => {
        const found = this.withoutWaiting(() => find(key));
        if (found.held) {
          held = found.error;
          return LOCK_HELD;
        }
        const row = found.value as { id: string; workflow_id: string } | undefined;
        return row ? { id: row.id, workflowId: row.workflow_id } : null;
      });
    return untilLockFree(attempt, () => sqliteStoreError(held, this.path));
  }

  update(update: ExecutionUpdate): Promise<void> {
    try {
      const { columns, rest, restJson } = update.set
        ? splitPatch(update.set, update.id)
        : { columns: {}, rest: null, restJson: null };
      const steps = stepJson(update.id, update.steps);
      return this.write({
        kind: 'update',
        id: update.id,
        epoch: update.epoch,
        columns,
        rest,
        restJson,
        steps,
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async getExecution(id: string): Promise<ExecutionSnapshot | null> {
    return this.snapshot((s) => {
      const row = s.getExecution.get(id) as ExecutionRowWithInput | undefined;
      if (!row) return null;
      return { execution: toExecution(row), steps: (s.stepsOf.all(id) as StepRow[]).map(toStep) };
    });
  }

  async getExecutions(ids: readonly string[]): Promise<ExecutionSnapshot[]> {
    if (ids.length === 0) return [];
    return this.snapshot((s) =>
      this.withSteps(s.byIdsOldestFirst.all(JSON.stringify(ids)) as ExecutionRowWithInput[]),
    );
  }

  async listExecutions(filter: ExecutionFilter): Promise<ExecutionSnapshot[]> {
    checkPage(filter);
    const [index, args] = filterArgs(filter);
    const page = Math.max(0, filter.limit);
    return this.snapshot((s) => {
      const rows = forFilter(s.list, s.listSettled, index, filter.status).all(
        ...args,
        page,
        Math.max(0, filter.offset ?? 0),
      ) as ExecutionRowWithInput[];
      // Read upwards from `after` (see `FILTERS`): newest first like every listing.
      return this.withSteps(filter.after ? rows.reverse() : rows);
    });
  }

  /** Snapshots of `rows`, with the steps of all of them read in one query (inside `snapshot`). */
  private withSteps(rows: ExecutionRowWithInput[]): ExecutionSnapshot[] {
    if (rows.length === 0) return [];
    const steps = new Map<string, StepRecord[]>();
    for (const row of this.stmts().stepsOfMany.all(JSON.stringify(rows.map((r) => r.id))) as StepRow[]) {
      const list = steps.get(row.execution_id);
      if (list) list.push(toStep(row));
      else steps.set(row.execution_id, [toStep(row)]);
    }
    return rows.map((row) => ({ execution: toExecution(row), steps: steps.get(row.id) ?? [] }));
  }

  async countExecutions(
    filter: Omit<ExecutionFilter, 'limit' | 'offset' | 'before' | 'after'>,
  ): Promise<number> {
    const [index, args] = filterArgs(filter);
    return this.read((s) => Number(forFilter(s.count, s.countSettled, index, filter.status).get(...args)));
  }

  async listOwners(): Promise<string[]> {
    return this.read((s) => s.listOwners.all() as string[]);
  }

  async countUnowned(): Promise<number> {
    return this.read((s) => s.countUnowned.get() as number);
  }

  claimExecutions(request: ClaimRequest): Promise<ExecutionRecord[]> {
    return this.write({ kind: 'claim', request });
  }

  renewLeases(owner: string, leaseUntil: number): Promise<string[]> {
    return this.write({ kind: 'renew', owner, leaseUntil });
  }

  releaseLeases(owner: string, ids?: readonly string[]): Promise<void> {
    return this.write(ids ? { kind: 'release', owner, ids } : { kind: 'release', owner });
  }

  requestCancel(id: string): Promise<ExecutionRecord | null> {
    return this.write({ kind: 'cancel', id });
  }

  async listCancelRequests(owner: string): Promise<string[]> {
    return this.read((s) => s.cancelRequests.all(owner) as string[]);
  }

  async aggregate(workflowId?: string): Promise<StoreAggregates> {
    return this.read((s) => {
      const rows = (
        workflowId === undefined ? s.aggregate.all() : s.aggregateOf.all(workflowId, workflowId)
      ) as AggregateRow[];
      return toAggregates(rows);
    });
  }

  async aggregateByWorkflow(filter: AggregateFilter = {}): Promise<Map<string, StoreAggregates>> {
    const which = checkAggregateFilter(filter);
    // What housekeeping re-reads while executions run (see `others-refresh.ts`): off this
    // connection, a range at a time (see `chunked-aggregate.ts`).
    const reader = filter.exceptOwner !== undefined ? this.aggregateReader() : null;
    if (reader) {
      // One read at a time on it (its read transaction spans the chunks).
      const rows = this.readerTurn.then(() =>
        aggregateExceptInChunks(
          reader,
          filter.exceptOwner as string,
          () => !this.closed,
          () => new OrchestratorError('CLOSED', 'The store is closed'),
        ),
      );
      this.readerTurn = rows.catch(() => undefined);
      return toAggregatesByWorkflow(await rows);
    }
    return this.read((s) => {
      const rows = (
        which === 'owner'
          ? s.aggregateByWorkflowOf.all(filter.owner, filter.owner)
          : filter.exceptOwner === undefined
            ? s.aggregateByWorkflow.all()
            : s.aggregateByWorkflowExcept.all(filter.exceptOwner, filter.exceptOwner)
      ) as (AggregateRow & { workflow_id: string })[];
      return toAggregatesByWorkflow(rows);
    });
  }

  /**
   * Compares SQLite's `data_version`, which changes when another connection (another process, or
   * another store on the same file) commits; this connection's own commits leave it alone.
   */
  async changedElsewhere(): Promise<boolean> {
    if (!this.db) throw this.notOpen();
    const version = this.db.pragma('data_version', { simple: true }) as number;
    const changed = version !== this.dataVersion;
    this.dataVersion = version;
    return changed;
  }

  /** Rejects when a file of the store is no longer the one its path names (see `file-identity.ts`). */
  async checkWritable(): Promise<void> {
    if (!this.db) throw this.notOpen();
    this.opened?.check();
  }

  handOver(request: HandOverRequest): Promise<string[]> {
    return this.write<string[]>({ kind: 'handOver', request });
  }

  purgeFinished(request: PurgeRequest): Promise<number> {
    return this.write({ kind: 'purge', request: { before: request.before, limit: request.limit } });
  }

  async countFinished(before: number): Promise<number> {
    return this.read((s) => Number(s.countPurgeable.get({ before })));
  }

  heartbeat(node: NodeRecord): Promise<void> {
    try {
      // A node writes its heartbeats alone: its first takes the lock that tells it lives. Its row
      // records the run's token, as its lock file does (none when it holds no lock).
      const run = this.closed ? null : (this.nodeLocks?.hold(node.id) ?? null);
      const row = run === null ? node : { ...node, info: { ...node.info, [LOCK_RUN_KEY]: run } };
      return this.write({ kind: 'heartbeat', params: nodeParams(row) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async listNodes(since?: number): Promise<NodeRecord[]> {
    return this.read((s) => {
      const rows = (since === undefined ? s.allNodes.all() : s.nodesSince.all(since)) as NodeRow[];
      return rows.map(toNode);
    });
  }

  removeNode(id: string): Promise<void> {
    this.nodeLocks?.release(id);
    return this.write({ kind: 'removeNode', id });
  }

  ownerGone(owner: string): boolean {
    // A node of an earlier release, which held no lock: judged by its pid, in this kernel's space.
    if (isDeadLegacyLocalOwner(owner)) return true;
    const locked = this.nodeLocks?.freeLockRun(owner) ?? null;
    if (locked === null) return false;
    // The lock is of one run of the node. One started again under the same id since (its lock in
    // another folder, or none: a folder it could not write) lives on, though that run's file is
    // free: its row records another run, or none.
    try {
      const info = this.read((s) => s.nodeInfo.get(owner)) as string | undefined;
      if (info === undefined) return true;
      return (JSON.parse(info) as Record<string, unknown>)[LOCK_RUN_KEY] === locked;
    } catch {
      return false;
    }
  }

  async loadByOwner(): Promise<Record<string, number>> {
    return this.read((s) => toOwnerLoad(s.loadByOwner.all() as OwnerLoadRow[]));
  }

  async listOwned(owner: string, limit: number): Promise<string[]> {
    return this.read((s) => s.listOwned.all(owner, Math.max(0, limit)) as string[]);
  }

  /** Both reads in one read transaction: one snapshot of the file (WAL), whatever others commit. */
  async readOwned(owner: string): Promise<OwnedRead> {
    return this.snapshot((s) => ({
      byWorkflow: toAggregatesByWorkflow(
        s.aggregateByWorkflowOf.all(owner, owner) as (AggregateRow & { workflow_id: string })[],
      ),
      unfinished: (s.ownedRecords.all(owner) as ExecutionRowWithInput[]).map(toExecution),
    }));
  }

  private write<T>(op: Op): Promise<T> {
    if (!this.db) return Promise.reject(this.notOpen());
    return this.batcher.enqueue(op) as Promise<T>;
  }

  /**
   * ONE `BEGIN IMMEDIATE … COMMIT` for the batch (throws, rolled back, if the transaction fails).
   * While another connection holds the write lock, it is tried again on timers, the event loop
   * running meanwhile (see `busy-wait.ts`): the outcomes come as a promise then. SQLite's own
   * errors (a lock held past the busy timeout, a read-only file, a full disk) become
   * `STORE_UNAVAILABLE` errors that name the file; so does a file (or its write-ahead log) deleted,
   * moved or replaced since it was opened (see `file-identity.ts`), before anything is written.
   */
  private commit(batch: readonly Op[]): Outcome[] | Promise<Outcome[]> {
    const commitBatch = this.commitBatch;
    if (!commitBatch) throw this.notOpen();
    let held: unknown;
    const attempt = (): Outcome[] | typeof LOCK_HELD => {
      this.opened?.beforeCommit();
      let committed: Attempted<Outcome[]>;
      try {
        committed = this.withoutWaiting(() => commitBatch(batch));
      } catch (error) {
        throw sqliteStoreError(error, this.path);
      }
      if (committed.held) {
        held = committed.error;
        return LOCK_HELD;
      }
      return committed.value.map((o) => (o.ok ? o : failed(sqliteStoreError(o.error, this.path))));
    };
    return untilLockFree(attempt, () => sqliteStoreError(held, this.path));
  }

  /**
   * Runs `body`, which takes the write lock, with no wait inside the driver for it: when another
   * connection holds it, answers `held` (nothing was done: the transaction did not begin, or was
   * rolled back) with SQLite's error, for the caller to try again later (see `busy-wait.ts`).
   */
  private withoutWaiting<T>(body: () => T): Attempted<T> {
    const db = this.db;
    if (!db) throw this.notOpen();
    // Set by exec each time: a prepared PRAGMA busy_timeout applies only when it is prepared.
    db.exec('PRAGMA busy_timeout = 0');
    try {
      return { held: false, value: body() };
    } catch (error) {
      if (isBusy(error) && !db.inTransaction) return { held: true, error };
      throw error;
    } finally {
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /** Runs a read on the statements; SQLite's own errors become `STORE_UNAVAILABLE` (see `commit`). */
  private read<T>(body: (s: Statements) => T): T {
    const s = this.stmts();
    try {
      return body(s);
    } catch (error) {
      throw sqliteStoreError(error, this.path);
    }
  }

  /**
   * A read of several statements, as `read`, in one read transaction: all of them see the file as
   * the first found it, whatever another connection (another process) commits in between; without
   * it each statement reads the latest commit (an execution's row from before a commit, its steps
   * from after). A failure rolls it back (nothing held after), as better-sqlite3's transactions do.
   */
  private snapshot<T>(body: (s: Statements) => T): T {
    const inReadTransaction = this.inReadTransaction;
    if (!inReadTransaction) throw this.notOpen();
    return this.read((s) => inReadTransaction(() => body(s)) as T);
  }

  private stmts(): Statements {
    if (!this.statements) throw this.notOpen();
    return this.statements;
  }

  private notOpen(): OrchestratorError {
    return this.closed
      ? new OrchestratorError('CLOSED', 'The store is closed')
      : new OrchestratorError('STORE_UNAVAILABLE', 'The SQLite store is not open: call init() first');
  }
}
