/**
 * How the SQLite store commits one group-commit batch: ONE `BEGIN IMMEDIATE … COMMIT`, with
 * one outcome per operation.
 *
 * Fast path, no savepoints: operations refuse (lease lost, unknown execution, duplicate id) by
 * throwing an `OrchestratorError` before they write anything, so a refusal leaves nothing to
 * undo and the batch goes on. Any other error (a constraint or trigger failure half-way through an
 * operation) rolls the whole attempt back, and the batch runs again with each operation under its
 * own savepoint, so the one that fails is undone and rejected alone. Savepoints cost about a fifth
 * of the throughput, hence only on that rare path. If SQLite itself ends the transaction (I/O
 * error, full disk, `RAISE(ROLLBACK)`), the batch fails as a whole: nothing was committed.
 * @module
 */
import type Database from 'better-sqlite3';
import { OrchestratorError } from '../../errors.js';
import { failed, type Outcome, succeeded } from '../group-commit.js';

/** Thrown out of the fast path to roll it back and retry with savepoints. */
class NeedsSavepoints extends Error {}

/**
 * Returns the function that commits a batch on `db`, applying each operation with `apply`.
 * `apply` must throw `OrchestratorError`s only before it has written anything.
 */
export function batchCommitter<Op>(
  db: Database.Database,
  apply: (op: Op) => unknown,
): (batch: readonly Op[]) => Outcome[] {
  const fast = db.transaction((batch: readonly Op[]) =>
    batch.map((op) => {
      try {
        return succeeded(apply(op));
      } catch (error) {
        if (error instanceof OrchestratorError && db.inTransaction) return failed(error);
        throw new NeedsSavepoints('retry with savepoints', { cause: error });
      }
    }),
  ).immediate;

  // A transaction function called inside a transaction runs under a savepoint.
  const isolated = db.transaction(apply);
  const safe = db.transaction((batch: readonly Op[]) =>
    batch.map((op) => {
      try {
        return succeeded(isolated(op));
      } catch (error) {
        if (!db.inTransaction) throw error;
        return failed(error);
      }
    }),
  ).immediate;

  return (batch) => {
    try {
      return fast(batch);
    } catch (error) {
      if (!(error instanceof NeedsSavepoints)) throw error;
      return safe(batch);
    }
  };
}
