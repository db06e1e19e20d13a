/**
 * `leaseSeconds` may be fractional (SPEC §2): lease ends are whole milliseconds, which the
 * PostgreSQL store's `bigint` columns need (a fraction of a millisecond made every write fail).
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

describe('a fractional leaseSeconds on PostgreSQL', () => {
  it('runs a workflow, and its lease ends on a whole millisecond', async () => {
    const schema = t.schema();
    const orch = await createOrchestrator({
      store: new PostgresStore(PG_URL, { schema }),
      leaseSeconds: 3.0005,
      sweepInterval: 1,
      actions: { a: () => 1 },
    });
    t.later(() => orch.close());
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    expect((await orch.workflowEngine.waitForCompletion(id, { timeout: 10 })).status).toBe('completed');
    const stored = (await orch.store.getExecution(id))?.execution;
    expect(Number.isInteger(stored?.leaseUntil)).toBe(true);
  });
});
