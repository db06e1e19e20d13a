/**
 * The PostgreSQL store: durable state shared by several nodes (`postgres://…`).
 *
 * A pool of connections (10 by default) whose clients pipeline. Every write goes through a
 * group-commit lane (`write-lanes.ts`; one by default, all writes of one execution in the same
 * lane): the writes a lane collects while its previous flush ran share ONE transaction on one
 * pooled client, creates and updates as set-based statements (see `batch-commit.ts`, `plan.ts`),
 * and each caller's promise resolves only after COMMIT returned. Several lanes flush concurrently,
 * each on its own connection. An update is a compare-and-set on the epoch: if another node claimed
 * the execution meanwhile, that update alone is refused with `LeaseLostError` and its steps are
 * not written. Claims lock candidate rows with
 * `FOR UPDATE SKIP LOCKED`, so nodes claiming at once take disjoint sets. Reads run on the pool
 * and see committed state. All tables live in one schema (`orchestrator` by default), created and
 * migrated by `init()`.
 *
 * Creating executions and releasing leases NOTIFY subscribers ({@link PostgresStore.subscribe}):
 * a wake-up hint only, so other nodes need not wait for their next poll.
 * @module
 */
import { inspect } from 'node:util';
import type pg from 'pg';
import { describeValue } from '../../describe-value.js';
import { OrchestratorError, ValidationError } from '../../errors.js';
import { redactUrl } from '../../redact-url.js';
import { filterArgs } from '../filter-args.js';
import type { GroupCommitStats, Outcome } from '../group-commit.js';
import { checkPage } from '../page-size.js';
import { checkAggregateFilter } from '../states.js';
import type {
  AggregateFilter,
  ClaimRequest,
  CreatePlacement,
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
  WorkHint,
} from '../store.js';
import { Abandonment } from './abandonment.js';
import { type CommitContext, commitOnLane, type LaneConnection, releaseLanes } from './batch-commit.js';
import { beginStatement } from './begin.js';
import { createPool, destroyPool, endPool, ident, poolError } from './connection.js';
import { holderOfKey } from './key-holder.js';
import { WorkListener, workPayloads } from './listener.js';
import { migrateAt } from './migrate.js';
import { namesNothing } from './nul-keys.js';
import { createOp, type Op, updateOp } from './operations.js';
import { type PostgresStoreOptions, resolveOptions } from './options.js';
import { PlanMode } from './plan-mode.js';
import {
  definitionParams,
  nodeParams,
  toAggregates,
  toAggregatesByWorkflow,
  toDefinition,
  toExecution,
  toNode,
  toOwnerLoad,
  toSteps,
} from './rows.js';
import { serverAnswers } from './server-answers.js';
import {
  type AggregateRow,
  buildSql,
  type DefinitionRow,
  type ExecutionRow,
  type NodeRow,
  type OwnerLoadRow,
  type SnapshotRow,
  type Sql,
} from './statements.js';
import { inTransaction } from './transaction.js';
import { CONFIG_URL, CONSTRUCTOR_URL, checkUrlOptions, connectionStringProblem } from './url-options.js';
import { WriteLanes } from './write-lanes.js';

export type { PostgresStoreOptions } from './options.js';

/** The channel the store NOTIFYs on; the payload is the schema, so one channel serves all schemas. */
export const WORK_CHANNEL = 'orchestrator_work';

/** Stores `openStore` made from a config's `store` string: init's URL errors name it, not `url`. */
const fromConfig = new WeakSet<PostgresStore>();

/** Marks `store` as made from a config's `store` string (see `openStore`); returns it. Not public. */
export function fromConfigStore(store: PostgresStore): PostgresStore {
  fromConfig.add(store);
  return store;
}

/** A durable {@link Store} in a PostgreSQL schema, for several nodes. See the module comment. */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly durable = true;
  /** Schema of the store's tables. */
  readonly schema: string;
  private readonly poolSize: number;
  private readonly idleInTransactionMs: number;
  /** Milliseconds a query of the store may wait for its answer, 0: none (see `queryTimeoutMs` of the options). */
  readonly queryTimeoutMs: number;
  private readonly migrationLockTimeoutMs: number;
  /** Whether statements are prepared (named), see `preparedStatements` of the options. */
  private readonly preparedStatements: boolean;
  private readonly sql: Sql;
  private pool: pg.Pool | null = null;
  /** The pool `init` made, until it is ended: what {@link abandon} destroys, also while closing. */
  private madePool: pg.Pool | null = null;
  private listener: WorkListener | null = null;
  /** Server pids of the pool's connections: notifications they send do not wake this store's subscribers. */
  private readonly backends = new Set<number>();
  private opening: Promise<void> | null = null;
  private closed = false;
  /** The one close, once `close()` was called. */
  private closing: Promise<void> | null = null;
  /**
   * The reads under way on the pool (see {@link onPool}): `close` waits for them before ending it.
   * `pg`'s pool, once ending, hands no connection to a read still waiting for one: it failed after
   * the connect timeout (10 s), as `STORE_UNAVAILABLE` 'no connection of its pool came free'.
   */
  private readonly reading = new Set<Promise<unknown>>();
  private readonly context: CommitContext;
  private readonly batcher: WriteLanes;
  private readonly laneConnections: LaneConnection[];
  /**
   * Fails the reads and commits under way when the store is abandoned ({@link abandon}), so they
   * stop waiting for the server.
   */
  private readonly abandonment = new Abandonment();

  /**
   * @param url a `postgres://` connection string; its parameters go to `pg`, which reads only
   *   some (`sslmode`, `application_name`, ...), so any other is refused rather than ignored.
   * @param options see {@link PostgresStoreOptions}; the schema is the option `schema`, not a
   *   `?schema=` in the URL.
   * @throws ValidationError for a URL that is no string, or no connection string the driver reads
   *   as meant (see `connectionStringProblem`: 'not a url', '', `mysql://…`, a port out of range); options that are no object or have an
   *   unknown key, a bad schema name, pool size, lane count, idle, query or migration lock timeout; or a URL
   *   parameter given twice, one `pg` does not read (a typo such as `?shema=`, libpq's
   *   `connect_timeout`), a `?schema=` or `?migrationLockTimeoutMs=` (its options), or an unknown
   *   `sslmode` (see `url-options.ts`).
   */
  constructor(
    private readonly url: string,
    options: PostgresStoreOptions = {},
  ) {
    const problem =
      typeof url === 'string'
        ? connectionStringProblem(url)
        : `Expected a postgres:// connection string, got ${describeValue(url)}`;
    if (problem !== null) {
      throw new ValidationError([{ path: CONSTRUCTOR_URL.path, message: problem }], CONSTRUCTOR_URL.heading);
    }
    checkUrlOptions(url, { storeParameters: false, ...CONSTRUCTOR_URL });
    const resolved = resolveOptions(options);
    this.schema = resolved.schema;
    this.poolSize = resolved.poolSize;
    this.idleInTransactionMs = resolved.idleInTransactionTimeoutMs;
    this.queryTimeoutMs = resolved.queryTimeoutMs;
    this.preparedStatements = resolved.preparedStatements;
    this.migrationLockTimeoutMs = resolved.migrationLockTimeoutMs;
    // A pool of one: its lane gives the connection back after each batch, for the reads.
    const keep = resolved.writeLanes < resolved.poolSize;
    this.laneConnections = Array.from({ length: resolved.writeLanes }, () => ({ client: null, keep }));
    this.batcher = new WriteLanes(resolved.writeLanes, (batch, lane) => this.commit(batch, lane));
    this.sql = buildSql(this.schema, resolved.writeLanes > 1);
    this.context = {
      sql: this.sql,
      plans: new PlanMode(`${ident(this.schema)}.executions`, this.idleInTransactionMs),
      notify: { channel: WORK_CHANNEL, ...workPayloads(this.schema) },
    };
  }

  /**
   * How the store prints (`console.log`, a logger or test runner inspecting it): its kind, URL
   * with the password masked and schema, never its internals, which hold the connection string.
   */
  [inspect.custom](): string {
    return `PostgresStore { url: ${JSON.stringify(redactUrl(this.url))}, schema: ${JSON.stringify(this.schema)} }`;
  }

  /** The store as JSON (`JSON.stringify`): as {@link PostgresStore[inspect.custom]}, no password. */
  toJSON(): { kind: 'postgres'; url: string; schema: string } {
    return { kind: this.kind, url: redactUrl(this.url), schema: this.schema };
  }

  /** The schema migrations `init` applied (their numbers), none when the schema was up to date. */
  migrationsApplied: readonly number[] = [];

  async init(): Promise<void> {
    if (this.closed) throw new OrchestratorError('CLOSED', 'The store is closed');
    this.opening ??= migrateAt(
      this.url,
      this.schema,
      fromConfig.has(this) ? CONFIG_URL : CONSTRUCTOR_URL,
      this.migrationLockTimeoutMs,
      this.queryTimeoutMs,
    ).then(
      (applied) => {
        this.migrationsApplied = applied;
        this.pool = this.madePool = createPool(
          this.url,
          this.poolSize,
          this.schema,
          this.backends,
          this.queryTimeoutMs,
          this.preparedStatements,
        );
      },
      (error: unknown) => {
        this.opening = null;
        throw error;
      },
    );
    await this.opening;
  }

  /**
   * Flushes pending writes, lets the reads under way finish, and ends every connection — once,
   * whoever calls: a call made while one runs resolves when it ends.
   */
  close(): Promise<void> {
    this.closing ??= this.shut();
    return this.closing;
  }

  private async shut(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.batcher.close();
    releaseLanes(this.laneConnections);
    await this.listener?.close();
    this.listener = null;
    const pool = this.pool;
    this.pool = null;
    await Promise.allSettled([...this.reading]);
    if (pool) await endPool(pool);
    this.madePool = null;
  }

  /**
   * Closes without waiting for the server (see `Store.abandon`): every connection is destroyed,
   * the reads and writes under way and the writes not flushed fail with `STORE_UNAVAILABLE`, and a
   * `close` under way ends with it.
   */
  async abandon(): Promise<void> {
    this.closed = true;
    this.abandonment.abandon(
      new OrchestratorError(
        'STORE_UNAVAILABLE',
        'The PostgreSQL store was closed without waiting for its server (it did not answer in time)',
      ),
    );
    this.pool = null;
    this.listener?.destroy();
    if (this.madePool) destroyPool(this.madePool);
    await this.close();
  }

  /** Whether the server answers a `SELECT 1` on a new connection within `ms` (see `Store.serverAnswers`). */
  serverAnswers(ms: number): Promise<boolean> {
    return serverAnswers(this.url, `orchestrator-probe:${this.schema}`, ms);
  }

  /** Group-commit counters, summed over the lanes: transactions run and operations they carried. */
  get commitStats(): GroupCommitStats {
    return this.batcher.stats;
  }

  /** Number of write lanes. */
  get writeLanes(): number {
    return this.batcher.count;
  }

  /**
   * Calls `onNotify` when executions were created (`'placed'`) or leases released (`'any'`) by
   * another store (another node) on this schema, and after the listener reconnected (`'any'`). Writes of this store wake nobody
   * here: its node knows of them. A hint only: poll for correctness.
   */
  async subscribe(channel: 'work', onNotify: (hint: WorkHint) => void): Promise<() => Promise<void>> {
    if (channel !== 'work') {
      throw new ValidationError(
        [{ path: 'channel', message: `Expected 'work', got ${describeValue(channel)}` }],
        'Invalid subscribe arguments',
      );
    }
    if (!this.pool) throw this.notOpen();
    this.listener ??= new WorkListener(
      this.url,
      WORK_CHANNEL,
      this.schema,
      `orchestrator-listen:${this.schema}`,
      (pid) => this.backends.has(pid),
      this.queryTimeoutMs,
    );
    return this.listener.subscribe(onNotify);
  }

  saveDefinition(def: DefinitionRecord): Promise<boolean> {
    try {
      return this.write({ kind: 'definition', params: definitionParams(def) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async listDefinitions(workflowId?: string, afterVersion = 0): Promise<DefinitionRecord[]> {
    if (namesNothing(workflowId)) return [];
    const rows =
      workflowId === undefined
        ? await this.read<DefinitionRow>(this.sql.allDefinitions, [])
        : await this.read<DefinitionRow>(this.sql.definitionsOf, [workflowId, afterVersion]);
    return rows.map(toDefinition);
  }

  createExecution(
    execution: ExecutionRecord,
    steps?: StepRecord[],
    placement?: CreatePlacement,
  ): Promise<CreateResult> {
    try {
      return this.write(createOp(execution, steps, placement));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Waits for the creates with `key` under way in other transactions (another node's group commit)
   * to end, then reads the holder: see `key-holder.ts`.
   */
  async findByIdempotencyKey(key: string): Promise<IdempotencyKeyHolder | null> {
    // No stored key holds U+0000 (PostgreSQL's text cannot): such a key is held by none.
    if (namesNothing(key)) return null;
    return this.onPool((pool) =>
      holderOfKey(pool, this.sql, key, this.begin('ISOLATION LEVEL READ COMMITTED')),
    );
  }

  update(update: ExecutionUpdate): Promise<void> {
    try {
      return this.write(updateOp(update));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async getExecution(id: string): Promise<ExecutionSnapshot | null> {
    if (namesNothing(id)) return null;
    const [row] = await this.read<SnapshotRow>(this.sql.getExecution, [id]);
    return row ? { execution: toExecution(row), steps: toSteps(row) } : null;
  }

  async getExecutions(ids: readonly string[]): Promise<ExecutionSnapshot[]> {
    const known = ids.filter((id) => !namesNothing(id));
    if (known.length === 0) return [];
    const rows = await this.read<SnapshotRow>(this.sql.getExecutions, [known]);
    return rows.map((row) => ({ execution: toExecution(row), steps: toSteps(row) }));
  }

  async listExecutions(filter: ExecutionFilter): Promise<ExecutionSnapshot[]> {
    checkPage(filter);
    const [index, args] = filterArgs(filter);
    const limit = Math.max(0, filter.limit);
    if (limit === 0 || namesNothing(filter.workflowId)) return [];
    const rows = await this.read<SnapshotRow>(this.sql.list[index]!, [
      ...args,
      limit,
      Math.max(0, filter.offset ?? 0),
    ]);
    // Read upwards from `after` (see `FILTERS`): newest first like every listing.
    if (filter.after) rows.reverse();
    return rows.map((row) => ({ execution: toExecution(row), steps: toSteps(row) }));
  }

  async countExecutions(
    filter: Omit<ExecutionFilter, 'limit' | 'offset' | 'before' | 'after'>,
  ): Promise<number> {
    if (namesNothing(filter.workflowId)) return 0;
    const [index, args] = filterArgs(filter);
    const [row] = await this.read<{ n: number }>(this.sql.count[index]!, args);
    return row?.n ?? 0;
  }

  async listOwners(): Promise<string[]> {
    return (await this.read<{ owner: string }>(this.sql.listOwners, [])).map((row) => row.owner);
  }

  async countUnowned(): Promise<number> {
    const [row] = await this.read<{ n: number }>(this.sql.countUnowned, []);
    return row?.n ?? 0;
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

  handOver(request: HandOverRequest): Promise<string[]> {
    return this.write({ kind: 'handOver', request });
  }

  requestCancel(id: string): Promise<ExecutionRecord | null> {
    if (namesNothing(id)) return Promise.resolve(null);
    return this.write({ kind: 'cancel', id });
  }

  async notifyCancel(owner: string): Promise<void> {
    await this.read('SELECT pg_notify($1, $2)', [WORK_CHANNEL, workPayloads(this.schema).cancel(owner)]);
  }

  async clockOffset(): Promise<{ offsetMs: number; roundTripMs: number }> {
    const sent = performance.now();
    const localAtSend = Date.now();
    const [row] = await this.read<{ ms: number }>(this.sql.serverTime, []);
    const roundTripMs = performance.now() - sent;
    return { offsetMs: Number(row?.ms) - (localAtSend + roundTripMs / 2), roundTripMs };
  }

  async listCancelRequests(owner: string): Promise<string[]> {
    return (await this.read<{ id: string }>(this.sql.cancelRequests, [owner])).map((row) => row.id);
  }

  async aggregate(workflowId?: string): Promise<StoreAggregates> {
    if (namesNothing(workflowId)) return toAggregates([]);
    const rows =
      workflowId === undefined
        ? await this.read<AggregateRow>(this.sql.aggregate, [])
        : await this.read<AggregateRow>(this.sql.aggregateOf, [workflowId]);
    return toAggregates(rows);
  }

  async aggregateByWorkflow(filter: AggregateFilter = {}): Promise<Map<string, StoreAggregates>> {
    type Row = AggregateRow & { workflow_id: string };
    const rows =
      checkAggregateFilter(filter) === 'owner'
        ? await this.read<Row>(this.sql.aggregateByWorkflowOf, [filter.owner])
        : filter.exceptOwner === undefined
          ? await this.read<Row>(this.sql.aggregateByWorkflow, [])
          : await this.read<Row>(this.sql.aggregateByWorkflowExcept, [filter.exceptOwner]);
    return toAggregatesByWorkflow(rows);
  }

  /**
   * One statement in a short transaction of its own, on a pool connection (outside the write
   * lanes), READ COMMITTED whatever the server's default: concurrent purges skip each other's rows
   * rather than fail each other.
   */
  async purgeFinished(request: PurgeRequest): Promise<number> {
    const limit = Math.max(0, request.limit);
    if (!this.pool) throw this.notOpen();
    if (limit === 0) return 0;
    return this.onPool((pool) => this.purgeOn(pool, request.before, limit));
  }

  /** Opens a transaction of `mode` on a pool connection, with the store's idle timeout (see `begin.ts`). */
  private begin(mode: string): string {
    return beginStatement(mode, this.idleInTransactionMs);
  }

  private async purgeOn(pool: pg.Pool, before: number, limit: number): Promise<number> {
    const rows = await inTransaction(pool, this.begin('ISOLATION LEVEL READ COMMITTED'), async (client) => {
      return (await client.query<{ n: number }>(this.sql.purge, [before, limit])).rows;
    });
    return rows[0]?.n ?? 0;
  }

  async countFinished(before: number): Promise<number> {
    const [row] = await this.read<{ n: number }>(this.sql.countPurgeable, [before]);
    return row?.n ?? 0;
  }

  heartbeat(node: NodeRecord): Promise<void> {
    try {
      return this.write({ kind: 'heartbeat', params: nodeParams(node) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async listNodes(since?: number): Promise<NodeRecord[]> {
    const rows =
      since === undefined
        ? await this.read<NodeRow>(this.sql.allNodes, [])
        : await this.read<NodeRow>(this.sql.nodesSince, [since]);
    return rows.map(toNode);
  }

  removeNode(id: string): Promise<void> {
    return this.write({ kind: 'removeNode', id });
  }

  async loadByOwner(): Promise<Record<string, number>> {
    return toOwnerLoad(await this.read<OwnerLoadRow>(this.sql.loadByOwner, []));
  }

  async listOwned(owner: string, limit: number): Promise<string[]> {
    const rows = await this.read<{ id: string }>(this.sql.listOwned, [owner, Math.max(0, limit)]);
    return rows.map((row) => row.id);
  }

  /**
   * Both reads in one REPEATABLE READ transaction (one snapshot, whatever others commit), on a
   * pool connection outside the write lanes.
   */
  readOwned(owner: string): Promise<OwnedRead> {
    return this.onPool((pool) => this.readOwnedOn(pool, owner));
  }

  private async readOwnedOn(pool: pg.Pool, owner: string): Promise<OwnedRead> {
    type Row = AggregateRow & { workflow_id: string };
    const begin = this.begin('ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { counts, records } = await inTransaction(pool, begin, async (client) => ({
      counts: (await client.query<Row>(this.sql.aggregateByWorkflowOf, [owner])).rows,
      records: (await client.query<ExecutionRow>(this.sql.ownedRecords, [owner])).rows,
    }));
    return { byWorkflow: toAggregatesByWorkflow(counts), unfinished: records.map(toExecution) };
  }

  private write<T>(op: Op): Promise<T> {
    if (!this.pool) return Promise.reject(this.notOpen());
    return this.batcher.enqueue(op) as Promise<T>;
  }

  /** ONE transaction for a lane's batch on the lane's connection (see `batch-commit.ts`). */
  private commit(batch: readonly Op[], lane: number): Promise<Outcome[]> {
    return this.pool
      ? this.abandonment.race(commitOnLane(this.pool, this.laneConnections[lane]!, this.context, batch))
      : Promise.reject(this.notOpen());
  }

  private read<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    return this.onPool(async (pool) => {
      try {
        return (await pool.query<R>(text, values)).rows;
      } catch (error) {
        throw poolError(pool, error);
      }
    });
  }

  /** Runs `body` on the open pool, counted in {@link reading} until it settles. */
  private async onPool<T>(body: (pool: pg.Pool) => Promise<T>): Promise<T> {
    const pool = this.pool;
    if (!pool) throw this.notOpen();
    const running = this.abandonment.race(body(pool));
    this.reading.add(running);
    try {
      return await running;
    } finally {
      this.reading.delete(running);
    }
  }

  private notOpen(): OrchestratorError {
    return this.closed
      ? new OrchestratorError('CLOSED', 'The store is closed')
      : new OrchestratorError('STORE_UNAVAILABLE', 'The PostgreSQL store is not open: call init() first');
  }
}
