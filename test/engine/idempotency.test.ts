/**
 * Idempotent submission (SPEC §4): the same idempotency key returns the same execution id and
 * starts nothing new; different keys (or none) start new executions.
 */
import { describe, expect, it } from 'vitest';
import { gate, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('idempotency keys (%s store)', (kind) => {
  it('returns the same execution id for the same key and runs the workflow once', async () => {
    let runs = 0;
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { charge: () => ++runs } });
    await orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
    const first = await orch.workflowEngine.executeWorkflow(
      'pay',
      { amount: 10 },
      { idempotencyKey: 'order-42' },
    );
    await orch.workflowEngine.waitForCompletion(first);
    const again = await orch.workflowEngine.executeWorkflow(
      'pay',
      { amount: 10 },
      { idempotencyKey: 'order-42' },
    );
    expect(again).toBe(first);
    expect(runs).toBe(1);
    expect(await orch.workflowEngine.listExecutions({ workflowId: 'pay' })).toHaveLength(1);
    expect((await orch.workflowEngine.getExecutionStatus(first))?.status).toBe('completed');
  });

  it('deduplicates concurrent submissions with the same key while the first is running', async () => {
    const hold = gate();
    let runs = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        charge: async () => {
          runs++;
          await hold.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
    const ids = await Promise.all(
      Array.from({ length: 5 }, () =>
        orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'k' }),
      ),
    );
    expect(new Set(ids).size).toBe(1);
    hold.open();
    await orch.workflowEngine.waitForCompletion(ids[0] as string);
    expect(runs).toBe(1);
  });

  it('starts separate executions for different keys and for no key', async () => {
    let runs = 0;
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { charge: () => ++runs } });
    await orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
    const a = await orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'a' });
    const b = await orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'b' });
    const n1 = await orch.workflowEngine.executeWorkflow('pay', {});
    const n2 = await orch.workflowEngine.executeWorkflow('pay', {});
    expect(new Set([a, b, n1, n2]).size).toBe(4);
    for (const id of [a, b, n1, n2]) await orch.workflowEngine.waitForCompletion(id);
    expect(runs).toBe(4);
  });

  it('keeps returning the original id after the execution failed', async () => {
    let runs = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        charge: () => {
          runs++;
          throw new Error('declined');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
    const first = await orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'once' });
    expect((await orch.workflowEngine.waitForCompletion(first)).status).toBe('failed');
    expect(await orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'once' })).toBe(first);
    expect(runs).toBe(1);
  });

  it('keeps the first input for a key used again with another input, and refuses the key to another workflow', async () => {
    let runs = 0;
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { charge: () => ++runs } });
    await orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
    await orch.workflowEngine.defineWorkflow('refund', [{ name: 'charge' }]);
    const first = await orch.workflowEngine.executeWorkflow('pay', { amount: 10 }, { idempotencyKey: 'k' });
    expect(await orch.workflowEngine.executeWorkflow('pay', { amount: 99 }, { idempotencyKey: 'k' })).toBe(
      first,
    );
    await expect(
      orch.workflowEngine.executeWorkflow('refund', { amount: 10 }, { idempotencyKey: 'k' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining("workflow 'pay'") });
    const done = await orch.workflowEngine.waitForCompletion(first);
    expect(done.inputData).toEqual({ amount: 10 });
    expect(runs).toBe(1);
    expect(await orch.workflowEngine.listExecutions()).toHaveLength(1);
  });

  it('refuses a key with U+0000 or an unpaired surrogate (PostgreSQL could not keep it as given)', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { charge: () => 1 } });
    await orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
    for (const [key, what] of [
      ['a\u0000b', /idempotencyKey: .*U\+0000 at index 1/],
      ['x\ud800', /idempotencyKey: .*unpaired surrogate \(U\+D800\) at index 1/],
      ['\udc01y', /idempotencyKey: .*unpaired surrogate \(U\+DC01\) at index 0/],
    ] as const) {
      await expect(
        orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: key }),
      ).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(what) });
    }
    expect(await orch.workflowEngine.listExecutions()).toEqual([]);
    // A whole pair (an emoji) is a key like any other.
    const id = await orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-😀' });
    expect(await orch.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-😀' })).toBe(id);
  });
});
