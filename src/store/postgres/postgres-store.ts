/**
 * The PostgreSQL store: durable state shared by several nodes (`postgres://…`).
 *
 * A pool of connections (10 by default) whose clients pipeline. Every write goes through
 * {@link GroupCommit}: the writes enqueued while the previous flush ran share ONE transaction on
 * one pooled client, creates and updates as set-based statements (see `batch-commit.ts`), and each
 * caller's promise resolves only after COMMIT returned. An update is a compare-and-set on the
 * epoch: if another node claimed the execution meanwhile, that update alone is refused with
 * `LeaseLostError` and its steps are not written. Claims lock candidate rows with
 * `FOR UPDATE SKIP LOCKED`, so nodes claiming at once take disjoint sets. Reads run on the pool
 * and see committed state. All tables live in one schema (`orchestrator` by default), created and
 * migrated by `init()`.
 *
 * Creating executions and releasing leases NOTIFY subscribers ({@link PostgresStore.subscribe}):
 * a wake-up hint only, so other nodes need not wait for their next poll.
 * @module
 */
import type pg from 'pg';
import { OrchestratorError, ValidationError } from '../../errors.js';
import { GroupCommit, type GroupCommitStats, type Outcome } from '../group-commit.js';
import type {
  ClaimRequest,
  CreateResult,
  DefinitionRecord,
  ExecutionFilter,
  ExecutionRecord,
  ExecutionSnapshot,
  ExecutionUpdate,
  NodeRecord,
  StepRecord,
  Store,
  StoreAggregates,
} from '../store.js';
import { commitBatch, type Notify } from './batch-commit.js';
import {
  checkPoolSize,
  checkSchema,
  createPool,
  DEFAULT_IDLE_IN_TRANSACTION_MS,
  DEFAULT_POOL_SIZE,
  DEFAULT_SCHEMA,
  storeError,
} from './connection.js';
import { WorkListener } from './listener.js';
import { migrateAt } from './migrate.js';
import { mergeOps, type Op, opKey, stepJson, wakesWorkers } from './operations.js';
import {
  createColumns,
  definitionParams,
  nodeParams,
  splitPatch,
  toAggregates,
  toDefinition,
  toExecution,
  toJson,
  toNode,
  toOwnerLoad,
  toSteps,
} from './rows.js';
import {
  type AggregateRow,
  buildSql,
  type DefinitionRow,
  filterArgs,
  type NodeRow,
  type OwnerLoadRow,
  type SnapshotRow,
  type Sql,
} from './statements.js';

/** The channel the store NOTIFYs on; the payload is the schema, so one channel serves all schemas. */
export const WORK_CHANNEL = 'orchestrator_work';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * Schema that holds the store's tables; created if missing. Stores on different schemas of one
   * database are independent (tests use a fresh schema each).
   * @default 'orchestrator'
   */
  schema?: string;
  /**
   * Connections in the pool: one carries the current group-commit flush, the others serve reads.
   * @default 10
   */
  poolSize?: number;
  /**
   * Milliseconds a connection may stay idle inside a transaction before the server ends it, so a
   * stalled node cannot hold row locks that keep other nodes from taking its executions over
   * (0 turns it off).
   * @default 10000
   */
  idleInTransactionTimeoutMs?: number;
}

/** A durable {@link Store} in a PostgreSQL schema, for several nodes. See the module comment. */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly durable = true;
  /** Schema of the store's tables. */
  readonly schema: string;
  private readonly poolSize: number;
  private readonly idleInTransactionMs: number;
  private readonly sql: Sql;
  private pool: pg.Pool | null = null;
  private listener: WorkListener | null = null;
  private opening: Promise<void> | null = null;
  private closed = false;
  private readonly notify: Notify;
  private readonly batcher = new GroupCommit<Op>({
    commit: (batch) => this.commit(batch),
    key: opKey,
    merge: mergeOps,
  });

  /**
   * @param url a `postgres://` connection string (handed to `pg` as is).
   * @param options see {@link PostgresStoreOptions}.
   * @throws ValidationError for a bad schema name, pool size or idle timeout.
   */
  constructor(
    private readonly url: string,
    options: PostgresStoreOptions = {},
  ) {
    this.schema = checkSchema(options.schema ?? DEFAULT_SCHEMA);
    this.poolSize = checkPoolSize(options.poolSize ?? DEFAULT_POOL_SIZE);
    const idle = options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_MS;
    if (!Number.isInteger(idle) || idle < 0) {
      throw new ValidationError([
        {
          path: 'store.idleInTransactionTimeoutMs',
          message: `Expected a non-negative integer, got ${idle}`,
        },
      ]);
    }
    this.idleInTransactionMs = idle;
    this.sql = buildSql(this.schema);
    this.notify = { channel: WORK_CHANNEL, payload: this.schema };
  }

  async init(): Promise<void> {
    if (this.closed) throw new OrchestratorError('CLOSED', 'The store is closed');
    this.opening ??= migrateAt(this.url, this.schema).then(
      () => {
        this.pool = createPool(this.url, this.poolSize, this.schema, this.idleInTransactionMs);
      },
      (error: unknown) => {
        this.opening = null;
        throw error;
      },
    );
    await this.opening;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.batcher.close();
    await this.listener?.close();
    this.listener = null;
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }

  /** Group-commit counters: transactions run and operations they carried. */
  get commitStats(): GroupCommitStats {
    return this.batcher.stats;
  }

  /**
   * Calls `onNotify` when executions were created or leases released (by any node on this
   * schema), and after the listener reconnected. A hint only: poll for correctness.
   */
  async subscribe(channel: 'work', onNotify: () => void): Promise<() => Promise<void>> {
    if (channel !== 'work') {
      throw new ValidationError([{ path: 'channel', message: `Expected 'work', got ${String(channel)}` }]);
    }
    if (!this.pool) throw this.notOpen();
    this.listener ??= new WorkListener(
      this.url,
      WORK_CHANNEL,
      this.schema,
      `orchestrator-listen:${this.schema}`,
    );
    return this.listener.subscribe(onNotify);
  }

  saveDefinition(def: DefinitionRecord): Promise<void> {
    try {
      return this.write({ kind: 'definition', params: definitionParams(def) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async listDefinitions(workflowId?: string): Promise<DefinitionRecord[]> {
    const rows =
      workflowId === undefined
        ? await this.read<DefinitionRow>(this.sql.allDefinitions, [])
        : await this.read<DefinitionRow>(this.sql.definitionsOf, [workflowId]);
    return rows.map(toDefinition);
  }

  createExecution(execution: ExecutionRecord, steps?: StepRecord[]): Promise<CreateResult> {
    try {
      const { id } = execution;
      return this.write({
        kind: 'create',
        id,
        key: execution.idempotencyKey ?? null,
        columns: createColumns(execution),
        input: toJson(execution.input, id, 'input'),
        steps: stepJson(id, steps),
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  update(update: ExecutionUpdate): Promise<void> {
    try {
      const { columns, rest } = update.set ? splitPatch(update.set, update.id) : { columns: {}, rest: null };
      const steps = stepJson(update.id, update.steps);
      return this.write({ kind: 'update', id: update.id, epoch: update.epoch, columns, rest, steps });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async getExecution(id: string): Promise<ExecutionSnapshot | null> {
    const [row] = await this.read<SnapshotRow>(this.sql.getExecution, [id]);
    return row ? { execution: toExecution(row), steps: toSteps(row) } : null;
  }

  async listExecutions(filter: ExecutionFilter): Promise<ExecutionSnapshot[]> {
    const [index, args] = filterArgs(filter);
    const limit = Math.max(0, filter.limit);
    if (limit === 0) return [];
    const rows = await this.read<SnapshotRow>(this.sql.list[index]!, [
      ...args,
      limit,
      Math.max(0, filter.offset ?? 0),
    ]);
    return rows.map((row) => ({ execution: toExecution(row), steps: toSteps(row) }));
  }

  async countExecutions(filter: Omit<ExecutionFilter, 'limit' | 'offset'>): Promise<number> {
    const [index, args] = filterArgs(filter);
    const [row] = await this.read<{ n: number }>(this.sql.count[index]!, args);
    return row?.n ?? 0;
  }

  async listOwners(): Promise<string[]> {
    return (await this.read<{ owner: string }>(this.sql.listOwners, [])).map((row) => row.owner);
  }

  claimExecutions(request: ClaimRequest): Promise<ExecutionRecord[]> {
    return this.write({ kind: 'claim', request });
  }

  renewLeases(owner: string, leaseUntil: number): Promise<number> {
    return this.write({ kind: 'renew', owner, leaseUntil });
  }

  releaseLeases(owner: string): Promise<void> {
    return this.write({ kind: 'release', owner });
  }

  requestCancel(id: string): Promise<ExecutionRecord | null> {
    return this.write({ kind: 'cancel', id });
  }

  async listCancelRequests(owner: string): Promise<string[]> {
    return (await this.read<{ id: string }>(this.sql.cancelRequests, [owner])).map((row) => row.id);
  }

  async aggregate(workflowId?: string): Promise<StoreAggregates> {
    const rows =
      workflowId === undefined
        ? await this.read<AggregateRow>(this.sql.aggregate, [])
        : await this.read<AggregateRow>(this.sql.aggregateOf, [workflowId]);
    return toAggregates(rows);
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

  private write<T>(op: Op): Promise<T> {
    if (!this.pool) return Promise.reject(this.notOpen());
    return this.batcher.enqueue(op) as Promise<T>;
  }

  /** ONE transaction for the batch on one pooled client (see `batch-commit.ts`). */
  private async commit(batch: readonly Op[]): Promise<Outcome[]> {
    const pool = this.pool;
    if (!pool) throw this.notOpen();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw storeError(error);
    }
    let broken: Error | undefined;
    try {
      return await commitBatch(client, this.sql, batch, wakesWorkers(batch) ? this.notify : null);
    } catch (error) {
      // The batch failed as a whole, typically because the connection broke: whatever state the
      // client is in, it is not handed out again.
      broken = storeError(error);
      throw broken;
    } finally {
      client.release(broken);
    }
  }

  private async read<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    const pool = this.pool;
    if (!pool) throw this.notOpen();
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (error) {
      throw storeError(error);
    }
  }

  private notOpen(): OrchestratorError {
    return this.closed
      ? new OrchestratorError('CLOSED', 'The store is closed')
      : new OrchestratorError('STORE_UNAVAILABLE', 'The PostgreSQL store is not open: call init() first');
  }
}
