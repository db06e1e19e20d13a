/**
 * The SQLite store reads an execution and its steps with two statements (the listings too: the
 * executions, then the steps of them all). Each ran in a read transaction of its own, so a commit
 * another connection (another process on the file) made between them was seen by the second
 * only: an execution counted one step run (0) with its step completed, or listed without the
 * steps it had. Both statements now read one snapshot (one read transaction).
 */
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { makeExecution, makeStep } from './records.js';
import { openSqliteStoreForTest } from './sqlite-fixture.js';

/** A store with execution `x` (0 steps run, step `a` pending), and another connection to its file. */
async function storeAndOther(): Promise<{ store: SqliteStore; other: Database.Database }> {
  const { store, path } = await openSqliteStoreForTest();
  await store.createExecution(makeExecution({ id: 'x', createdAt: 1 }), [makeStep('x', 'a')]);
  const other = new Database(path);
  other.pragma('busy_timeout = 5000');
  onTestFinished(() => {
    other.close();
  });
  return { store, other };
}

/** What another process commits: step `a` of `x` completed and counted run, in one transaction. */
function completeStep(other: Database.Database): void {
  other.transaction(() => {
    other.prepare('UPDATE executions SET steps_run = 1 WHERE id = ?').run('x');
    other
      .prepare(`UPDATE steps SET record = json_set(record, '$.status', 'completed') WHERE execution_id = ?`)
      .run('x');
  })();
}

/** What another process commits: `x` purged, with its steps and input. */
function purge(other: Database.Database): void {
  other.transaction(() => {
    for (const table of ['steps', 'execution_inputs']) {
      other.prepare(`DELETE FROM ${table} WHERE execution_id = ?`).run('x');
    }
    other.prepare('DELETE FROM executions WHERE id = ?').run('x');
  })();
}

/**
 * Runs `between` once, right before the store's next run of its statement `name` (the read of the
 * steps, the second of the two statements).
 */
function beforeStepsRead(store: SqliteStore, name: 'stepsOf' | 'stepsOfMany', between: () => void): void {
  const statements = (store as unknown as { statements: Record<string, Database.Statement> }).statements;
  const original = statements[name]!;
  statements[name] = {
    all: (...args: unknown[]) => {
      statements[name] = original;
      between();
      return original.all(...args);
    },
  } as unknown as Database.Statement;
}

/** Steps run and the status of step `a`, as read. */
function shape(snapshot: ExecutionSnapshot | null | undefined): [number, string[]] | null {
  if (!snapshot) return null;
  return [snapshot.execution.stepsRun, snapshot.steps.map((s) => s.status)];
}

describe('SQLite store reads an execution and its steps from one snapshot', () => {
  it('getExecution: a commit of another connection between the two reads is seen by neither', async () => {
    const { store, other } = await storeAndOther();
    let ran = false;
    beforeStepsRead(store, 'stepsOf', () => {
      completeStep(other);
      ran = true;
    });
    const read = await store.getExecution('x');
    expect(ran).toBe(true);
    expect(shape(read)).toEqual([0, ['pending']]);
    // The commit itself went through: the next read sees all of it.
    expect(shape(await store.getExecution('x'))).toEqual([1, ['completed']]);
  });

  it('getExecutions: the same', async () => {
    const { store, other } = await storeAndOther();
    beforeStepsRead(store, 'stepsOfMany', () => completeStep(other));
    expect((await store.getExecutions(['x'])).map(shape)).toEqual([[0, ['pending']]]);
    expect((await store.getExecutions(['x'])).map(shape)).toEqual([[1, ['completed']]]);
  });

  it('listExecutions: an execution purged between the two reads is listed with its steps', async () => {
    const { store, other } = await storeAndOther();
    beforeStepsRead(store, 'stepsOfMany', () => purge(other));
    expect((await store.listExecutions({ limit: 10 })).map(shape)).toEqual([[0, ['pending']]]);
    expect(await store.listExecutions({ limit: 10 })).toEqual([]);
  });

  it('a read after a snapshot read sees what was committed meanwhile (no transaction left open)', async () => {
    const { store, other } = await storeAndOther();
    await store.getExecution('x');
    completeStep(other);
    expect(shape(await store.getExecution('x'))).toEqual([1, ['completed']]);
    // The other connection can still write: this store holds no lock.
    purge(other);
    expect(await store.getExecution('x')).toBeNull();
  });

  it('a read that fails ends its read transaction: later reads see later commits', async () => {
    const { store, other } = await storeAndOther();
    const statements = (store as unknown as { statements: Record<string, Database.Statement> }).statements;
    const original = statements.stepsOf!;
    statements.stepsOf = {
      all: () => {
        statements.stepsOf = original;
        throw new Database.SqliteError('disk I/O error', 'SQLITE_IOERR');
      },
    } as unknown as Database.Statement;
    await expect(store.getExecution('x')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('disk I/O error'),
    });
    completeStep(other);
    expect(shape(await store.getExecution('x'))).toEqual([1, ['completed']]);
  });

  it('a missing execution reads null, and no ids none', async () => {
    const { store } = await storeAndOther();
    expect(await store.getExecution('nope')).toBeNull();
    expect(await store.getExecutions(['nope'])).toEqual([]);
    expect(await store.getExecutions([])).toEqual([]);
  });
});
