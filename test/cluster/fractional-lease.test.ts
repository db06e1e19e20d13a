/**
 * `leaseSeconds` may be fractional (SPEC §2): lease ends are whole milliseconds, which the
 * PostgreSQL store's `bigint` columns need (a fraction of a millisecond made every write fail).
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { drivingFor, finishWithClock } from '../helpers/orchestrator.js';
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

describe('an injected clock with fractions of a millisecond on PostgreSQL', () => {
  // A high-resolution clock (`performance.timeOrigin + performance.now()`), or a FakeClock that
  // starts on a fraction or fires a timer of a fractional delay, made every write fail with
  // "invalid input syntax for type bigint" (STORE_UNAVAILABLE): the engine now reads whole ms.
  it('runs a workflow with fractional delays, and stores whole milliseconds', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1) + 0.5);
    const orch = await createOrchestrator({
      store: new PostgresStore(PG_URL, { schema: t.schema(), poolSize: 2 }),
      clock,
      actions: { a: () => 1 },
    });
    t.later(() => orch.close());
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'pause', action: 'delay', input: "{'seconds': 0.0005}" },
      { name: 'a' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    // Real time between the slices, as PostgreSQL writes answer in it: on a loaded machine the
    // virtual time ran on to the workflow's timeout while a write was answered (a flaky failure).
    const status = await finishWithClock(orch, clock, id, drivingFor('postgres'));
    expect(status.status).toBe('completed');
    const stored = (await orch.store.getExecution(id))?.execution;
    expect(Number.isInteger(stored?.createdAt)).toBe(true);
    expect(Number.isInteger(stored?.completedAt)).toBe(true);
  });
});
