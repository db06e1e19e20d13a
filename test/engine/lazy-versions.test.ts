/**
 * Older versions of a workflow are compiled on first use, not at start: createOrchestrator read
 * and compiled every stored version of every workflow, so start-up time and memory grew with
 * every redefinition ever made (300 versions of a 60-step workflow: 1.5 s and 46 MB), though new
 * executions run only the latest and older versions serve only the executions still on them.
 */
import { describe, expect, it, vi } from 'vitest';
import * as plan from '../../src/definition/plan.js';
import { DefinitionRegistry } from '../../src/engine/definitions.js';
import { type ActionHandler, FakeClock, MemoryStore } from '../../src/index.js';
import {
  gate,
  memoryLogger,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';
import { storeDefinitionBody } from '../helpers/stored-definition.js';

vi.mock(import('../../src/definition/plan.js'), async (importOriginal) => {
  const original = await importOriginal();
  return { ...original, compilePlan: vi.fn(original.compilePlan) };
});

const DEFAULTS = { retryAttempts: 3, retryDelay: 1, workflowTimeout: 60 };

async function storeWithVersions(): Promise<MemoryStore> {
  const store = new MemoryStore();
  const writer = new DefinitionRegistry(store, DEFAULTS, new FakeClock());
  for (let v = 1; v <= 5; v++) await writer.define('w', [{ name: 'a' }], { timeout: v });
  await writer.define('x', [{ name: 'a' }]);
  await writer.define('x', [{ name: 'b' }]);
  return store;
}

describe('loading stored definitions', () => {
  it('compiles only the latest version of each workflow; an older one when first asked for, once', async () => {
    const store = await storeWithVersions();
    const compiled = vi.mocked(plan.compilePlan);
    compiled.mockClear();
    const registry = new DefinitionRegistry(store, DEFAULTS, new FakeClock());
    await registry.load();
    expect(compiled.mock.calls.map(([def]) => `${def.id}@${def.version}`).sort()).toEqual(['w@5', 'x@2']);
    // Listings need no plan.
    expect(registry.versions('w').map((d) => d.version)).toEqual([1, 2, 3, 4, 5]);
    expect(registry.list().map((d) => `${d.id}@${d.version}`)).toEqual(['w@5', 'x@2']);
    expect(compiled).toHaveBeenCalledTimes(2);

    compiled.mockClear();
    const old = await registry.version('w', 2);
    expect(old?.plan?.timeoutMs).toBe(2000);
    expect(registry.cachedPlan('w', 2)).toBe(old?.plan);
    expect((await registry.version('w', 2))?.plan).toBe(old?.plan);
    expect(registry.cachedPlan('w', 3)?.timeoutMs).toBe(3000);
    expect(compiled.mock.calls.map(([def]) => `${def.id}@${def.version}`)).toEqual(['w@2', 'w@3']);
    expect((await registry.latest('w'))?.plan?.timeoutMs).toBe(5000);
    expect(compiled).toHaveBeenCalledTimes(2);
  });
});

const hang: ActionHandler = (_input, ctx) => untilAborted(ctx.signal);

describe('an older version, compiled when first needed after a restart', () => {
  it('runs its executions (compensations included) and answers their status with its own plan', async () => {
    const store = tempSqliteUrl();
    const timing = { sweepInterval: 0.05, leaseSeconds: 0.5 };
    const entered = gate();
    const hold = gate();
    const one = await withOrchestrator({
      store,
      ...timing,
      actions: {
        a: async () => {
          entered.open();
          await hold.promise;
          return 'A';
        },
      },
    });
    await one.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'b', retry: { maxAttempts: 1 } },
    ]);
    const id = await one.workflowEngine.executeWorkflow('w');
    await entered.promise;
    for (let v = 2; v <= 4; v++)
      await one.workflowEngine.defineWorkflow('w', [{ name: 'c' }], { timeout: v });
    await one.close();
    hold.open();

    const undone: unknown[] = [];
    const actions = {
      a: () => 'A',
      b: () => {
        throw new Error('b failed');
      },
      c: () => 'C',
    };
    const compensations = { undo_a: (output: unknown) => void undone.push(output) };
    const two = await withOrchestrator({ store, ...timing, actions, compensations });
    const status = await two.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status).toMatchObject({ status: 'failed', workflowVersion: 1, totalSteps: 2 });
    expect(status.compensatedSteps).toEqual(['a']);
    expect(undone).toEqual(['A']);
    await two.close();

    // A node that never ran it answers its status from the store with version 1's steps.
    const three = await withOrchestrator({ store, ...timing, actions, compensations });
    const read = await three.workflowEngine.getExecutionStatus(id);
    expect(read).toMatchObject({ status: 'failed', workflowVersion: 1, totalSteps: 2, stepsCompleted: 1 });
    expect(read?.steps.map((s) => s.name)).toEqual(['a', 'b']);
    expect(read?.compensatedSteps).toEqual(['a']);
    expect((await three.workflowEngine.getWorkflow('w', 1))?.steps).toHaveLength(2);
  });

  it('that this release cannot read leaves its executions to other nodes, logging why', async () => {
    const store = tempSqliteUrl();
    const timing = { sweepInterval: 0.05, leaseSeconds: 0.5 };
    const one = await withOrchestrator({ store, ...timing, actions: { a: hang } });
    await one.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const old = await one.workflowEngine.executeWorkflow('w');
    await one.workflowEngine.defineWorkflow('w', [{ name: 'a' }], { timeout: 60 });
    await one.close();
    storeDefinitionBody(store, 'w', 1, [{ name: 'a', awaitSignal: 'approved' }]);

    const logger = memoryLogger();
    const two = await withOrchestrator({ store, ...timing, logger, actions: { a: () => 'A' } });
    const why = logger.lines.find((l) => /Workflow 'w' version 1 has keys/.test(l.msg ?? ''));
    expect(why?.msg).toMatch(/steps\[0\]\.awaitSignal/);
    expect(why?.obj).toMatchObject({ executionId: old, version: 1 });
    expect((await two.store.getExecution(old))?.execution).toMatchObject({ owner: null, status: 'running' });
    expect(await two.workflowEngine.getExecutionStatus(old)).toMatchObject({
      workflowVersion: 1,
      status: 'running',
    });
    // The latest version runs.
    const id = await two.workflowEngine.executeWorkflow('w');
    expect(await two.workflowEngine.waitForCompletion(id, { timeout: 5 })).toMatchObject({
      status: 'completed',
      workflowVersion: 2,
    });
  });
});
