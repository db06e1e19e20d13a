/**
 * When the store's write statements may run on PostgreSQL's cached generic plans.
 *
 * The writes are named (prepared) statements, so each connection plans them once and reuses a
 * generic plan, which is cheap, except that the plan is fixed when it is made: made while
 * `executions` is small (a fresh schema: a new deployment, every test, every benchmark), it joins
 * a batch to `executions` by hashing a sequential scan of the whole table, the right choice for a
 * few pages, and keeps doing so as the table grows to millions of rows. So while the table is
 * small, write transactions plan each statement for its actual arguments
 * (`SET LOCAL plan_cache_mode = force_custom_plan`, about 0.3 ms per statement), and the size of
 * `executions` is checked every {@link PROBE_EVERY} flushes; from {@link GENERIC_MIN_BYTES} on
 * (2.5× the size where PostgreSQL 15 switches to probing the primary key for a 10-row batch,
 * measured) the plans are made once and reused, by then with the right shape. The switch is one
 * way: a table that shrinks again (retention deletes finished executions; the file itself seldom
 * gets smaller) keeps plans that probe its indexes, which stay cheap at any size.
 *
 * "Reused" must be asked for. Left to itself (`plan_cache_mode = auto`), PostgreSQL keeps planning
 * a statement per run when its custom plans look cheaper than the generic one, and for a batch of
 * one execution — every flush of a node with light traffic, e.g. after a restart on a large table —
 * the update's custom plan always does (one row from `unnest` against the generic plan's estimated
 * ten): measured, 0.17 ms of planning per update, ≈0.45 ms of a three-step workflow's 2.9 ms at
 * p50, for the same plan shape. So a transaction of creates and updates only forces the generic
 * plans (`force_generic_plan`: primary-key and unique-index probes whatever the batch size); one
 * with other statements (claims, lease renewals, cancels, whose row counts depend on their
 * arguments) leaves the choice to PostgreSQL.
 * @module
 */
import type pg from 'pg';
import { beginStatement } from './begin.js';

/** Size of `executions` from which generic plans are used: 128 pages of 8 kB. */
export const GENERIC_MIN_BYTES = 1 << 20;

/** Flushes between two checks of the table size while it is small. */
export const PROBE_EVERY = 16;

/**
 * A write transaction is READ COMMITTED whatever `default_transaction_isolation` the role or
 * database sets: the epoch fence and `SKIP LOCKED` claims are written for it, and under
 * SERIALIZABLE nodes writing their own rows fail each other's transactions.
 */
const ISOLATION = 'ISOLATION LEVEL READ COMMITTED';

/** See the module comment. One per store, shared by its write lanes. */
export class PlanMode {
  private generic = false;
  private flushes = 0;
  /** Opens a write transaction (one simple-query message, see `begin.ts`). */
  private readonly plain: string;
  /** The same while plans are made per run. */
  private readonly custom: string;
  /** The same for a transaction of creates and updates once generic plans are in use. */
  private readonly forcedGeneric: string;

  /**
   * @param table the qualified name of the `executions` table.
   * @param idleInTransactionMs the store's idle-in-transaction timeout (see `begin.ts`).
   */
  constructor(
    private readonly table: string,
    idleInTransactionMs: number,
  ) {
    this.plain = beginStatement(ISOLATION, idleInTransactionMs);
    this.custom = `${this.plain}; SET LOCAL plan_cache_mode = force_custom_plan`;
    this.forcedGeneric = `${this.plain}; SET LOCAL plan_cache_mode = force_generic_plan`;
  }

  /** Whether generic plans are in use. */
  get usesGenericPlans(): boolean {
    return this.generic;
  }

  /**
   * The statement that opens the next write transaction; `rowWritesOnly`: it holds nothing but
   * creates and updates of executions.
   */
  begin(rowWritesOnly: boolean): string {
    if (!this.generic) return this.custom;
    return rowWritesOnly ? this.forcedGeneric : this.plain;
  }

  /** A query measuring `executions`, to send after this flush's COMMIT, or null. */
  probe(): pg.QueryConfig | null {
    if (this.generic || this.flushes++ % PROBE_EVERY !== 0) return null;
    return {
      name: 'orchestrator_table_size',
      text: 'SELECT pg_relation_size($1::regclass) AS bytes',
      values: [this.table],
    };
  }

  /** Takes the answer of {@link probe}. */
  observe(result: pg.QueryResult<{ bytes: number | string }>): void {
    if (Number(result.rows[0]?.bytes ?? 0) >= GENERIC_MIN_BYTES) this.generic = true;
  }
}
