/**
 * A retry with an idempotency key already used (SPEC §4: same key → same execution id) gets the
 * id it was given, also when a new execution would now be refused: no worker left to run it, a
 * latest version this release cannot run (defined by a newer release), a workflow no longer
 * defined. Only the key's own workflow counts: a key used by another workflow, a key never used
 * and a key freed by retention still get the refusal, and so does every call on a custom store
 * without `findByIdempotencyKey`. A retry refused while the first call with its key is still
 * creating its execution (in this process) waits for that create.
 */
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { ConflictError, NoWorkersError, WorkflowNotFoundError } from '../../src/errors.js';
import type { Orchestrator } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { gate, STORE_KINDS, storeUrl, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';
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

/**
 * Holds the next `createExecution` of `orch`'s store until `release` is called (then lets it
 * through, or fails it with `error`); `reached` resolves once it was called.
 */
function holdNextCreate(orch: Orchestrator): {
  reached: Promise<void>;
  release(error?: Error): void;
} {
  const { store } = orch;
  const create = store.createExecution.bind(store);
  const reached = gate();
  const released = gate<Error | undefined>();
  vi.spyOn(store, 'createExecution').mockImplementationOnce(async (execution, steps) => {
    reached.open();
    const error = await released.promise;
    if (error) throw error;
    return create(execution, steps);
  });
  return { reached: reached.promise, release: (error) => released.open(error) };
}

/** What `call` settles with: its value, or the error it rejects with (handled at once). */
function outcome<T>(call: Promise<T>): Promise<T | unknown> {
  return call.then(
    (value) => value,
    (error: unknown) => error,
  );
}

describe.each(STORE_KINDS)(
  'a retry refused while the first call with its key is still creating (%s store)',
  (kind) => {
    it('waits for that create and gets its id', async () => {
      const orch = await withOrchestrator({ store: storeUrl(kind), actions: { charge: () => 1 } });
      await orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
      const held = holdNextCreate(orch);
      const first = orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' });
      await held.reached;
      orch.loadBalancer.removeWorker('worker_1');
      const retry = outcome(orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' }));
      held.release();
      const id = await first;
      expect(await retry).toBe(id);
      // Other keys, and the key for another workflow, are refused as before.
      await expect(
        orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-2' }),
      ).rejects.toBeInstanceOf(NoWorkersError);
      expect(await orch.workflowEngine.countExecutions()).toBe(1);
    });

    it('is refused when that create fails, and when it is of another workflow', async () => {
      const orch = await withOrchestrator({ store: storeUrl(kind), actions: { charge: () => 1 } });
      await orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
      await orch.workflowEngine.defineWorkflow('refund', [{ name: 'charge' }]);

      let held = holdNextCreate(orch);
      const failing = orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' });
      await held.reached;
      orch.loadBalancer.removeWorker('worker_1');
      const retry = outcome(orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' }));
      held.release(new Error('disk full'));
      await expect(failing).rejects.toThrow('disk full');
      expect(await retry).toBeInstanceOf(NoWorkersError);

      orch.loadBalancer.addWorker('worker_2');
      held = holdNextCreate(orch);
      const refund = orch.workflowEngine.executeWorkflow('refund', {}, { idempotencyKey: 'order-3' });
      await held.reached;
      orch.loadBalancer.removeWorker('worker_2');
      const other = outcome(orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-3' }));
      held.release();
      await refund;
      expect(await other).toBeInstanceOf(NoWorkersError);
      expect(await orch.workflowEngine.countExecutions()).toBe(1);
    });
  },
);

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
