/**
 * A retry with an idempotency key already used (SPEC §4: same key → same execution id) gets the
 * id it was given, also when a new execution would now be refused: no worker left to run it, a
 * latest version this release cannot run (defined by a newer release), a workflow no longer
 * defined. Only the key's own workflow counts: a key used by another workflow, a key never used
 * and a key freed by retention still get the refusal, and so does every call on a custom store
 * without `findByIdempotencyKey`.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConflictError, NoWorkersError, WorkflowNotFoundError } from '../../src/errors.js';
import type { Orchestrator } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { STORE_KINDS, storeUrl, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';
import { storeDefinitionBody } from '../helpers/stored-definition.js';

/** `pay` run to the end under key `order-1`, and `refund` defined; returns the execution id. */
async function paidOnce(orch: Orchestrator): Promise<string> {
  await orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
  await orch.workflowEngine.defineWorkflow('refund', [{ name: 'charge' }]);
  const id = await orch.workflowEngine.executeWorkflow('pay', { amount: 10 }, { idempotencyKey: 'order-1' });
  expect((await orch.workflowEngine.waitForCompletion(id, { timeout: 5 })).status).toBe('completed');
  return id;
}

describe.each(STORE_KINDS)('a key already used, when a new execution would be refused (%s store)', (kind) => {
  it('no worker left: the retry gets the existing id; other keys get NoWorkersError', async () => {
    let runs = 0;
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { charge: () => ++runs } });
    const id = await paidOnce(orch);
    orch.loadBalancer.removeWorker('worker_1');

    expect(
      await orch.workflowEngine.executeWorkflow('pay', { amount: 10 }, { idempotencyKey: 'order-1' }),
    ).toBe(id);
    // The input is not compared, as on the create path.
    expect(
      await orch.workflowEngine.executeWorkflow('pay', { amount: 99 }, { idempotencyKey: 'order-1' }),
    ).toBe(id);
    await expect(
      orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-2' }),
    ).rejects.toBeInstanceOf(NoWorkersError);
    await expect(orch.workflowEngine.executeWorkflow('pay')).rejects.toBeInstanceOf(NoWorkersError);
    // A key another workflow used: the refusal stands (with a worker it is a ConflictError).
    await expect(
      orch.workflowEngine.executeWorkflow('refund', {}, { idempotencyKey: 'order-1' }),
    ).rejects.toBeInstanceOf(NoWorkersError);
    orch.loadBalancer.addWorker('worker_2');
    await expect(
      orch.workflowEngine.executeWorkflow('refund', {}, { idempotencyKey: 'order-1' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining("workflow 'pay'") });

    expect(runs).toBe(1);
    expect(await orch.workflowEngine.listExecutions()).toHaveLength(1);
  });

  it('a key freed by retention is refused like a new one', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { charge: () => 1 } });
    const id = await paidOnce(orch);
    expect(await orch.workflowEngine.purgeExecutions({ before: new Date(Date.now() + 60_000) })).toBe(1);
    orch.loadBalancer.removeWorker('worker_1');
    await expect(
      orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' }),
    ).rejects.toBeInstanceOf(NoWorkersError);
    expect(await orch.workflowEngine.getExecutionStatus(id)).toBeNull();
  });
});

describe('a key already used, on the SQLite store after a restart', () => {
  it('a latest version this release cannot run: the retry gets the existing id; other keys a ConflictError', async () => {
    const url = tempSqliteUrl();
    const first = await withOrchestrator({ store: url, actions: { charge: () => 1 } });
    const id = await paidOnce(first);
    const other = await first.workflowEngine.executeWorkflow('refund', {}, { idempotencyKey: 'refund-1' });
    await first.workflowEngine.waitForCompletion(other, { timeout: 5 });
    await first.workflowEngine.defineWorkflow('pay', [{ name: 'charge', timeout: 60 }]);
    await first.close();
    storeDefinitionBody(url, 'pay', 2, [{ name: 'charge', awaitSignal: 'paid' }]);

    const restarted = await withOrchestrator({ store: url, actions: { charge: () => 1 } });
    expect(await restarted.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' })).toBe(id);
    for (const key of ['order-2', 'refund-1']) {
      const refused = restarted.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: key });
      await expect(refused).rejects.toBeInstanceOf(ConflictError);
      await expect(refused).rejects.toThrow(/Workflow 'pay' version 2/);
    }
    expect(await restarted.workflowEngine.countExecutions()).toBe(2);
  });

  it('a workflow whose definitions are gone: the retry gets the existing id; other keys WorkflowNotFoundError', async () => {
    const url = tempSqliteUrl();
    const first = await withOrchestrator({ store: url, actions: { charge: () => 1 } });
    const id = await paidOnce(first);
    await first.close();
    const db = new Database(url.slice('sqlite:'.length));
    db.prepare("DELETE FROM definitions WHERE id = 'pay'").run();
    db.close();

    const restarted = await withOrchestrator({ store: url, actions: { charge: () => 1 } });
    expect(await restarted.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' })).toBe(id);
    await expect(
      restarted.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-2' }),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(
      restarted.workflowEngine.executeWorkflow('refund', {}, { idempotencyKey: 'order-1' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining("workflow 'pay'") });
  });
});

describe('a custom store without findByIdempotencyKey', () => {
  it('keeps working: a retry that would be refused is refused, as before the lookup existed', async () => {
    const store = new MemoryStore() as Store;
    (store as { findByIdempotencyKey?: unknown }).findByIdempotencyKey = undefined;
    const orch = await withOrchestrator({ store, actions: { charge: () => 1 } });
    const id = await paidOnce(orch);
    // With a worker the create path finds the key, as it always did.
    expect(await orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' })).toBe(id);
    orch.loadBalancer.removeWorker('worker_1');
    await expect(
      orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' }),
    ).rejects.toBeInstanceOf(NoWorkersError);
  });
});
