/**
 * Concurrency limit (SPEC §2): at most `maxConcurrentWorkflows` executions run at once; more
 * wait as `pending` and start in FIFO order. `listExecutions` filters by status and workflow,
 * newest first, with a limit.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  type Gate,
  gate,
  runToEnd,
  STORE_KINDS,
  type StoreKind,
  storeUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/**
 * An orchestrator with one slot, taken by execution A (input `{ n: 'A' }`) until `hold` opens;
 * `started` lists the `n` of each execution as its step starts.
 */
async function oneSlotBusy(kind: StoreKind) {
  const hold = gate();
  const started: string[] = [];
  const orch = await withOrchestrator({
    store: storeUrl(kind),
    maxConcurrentWorkflows: 1,
    actions: {
      work: async (input) => {
        const n = (input as { n: string }).n;
        started.push(n);
        if (n === 'A') await hold.promise;
        return n;
      },
    },
  });
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
  const a = await orch.workflowEngine.executeWorkflow('w', { n: 'A' });
  return { orch, hold, started, a };
}

describe.each(STORE_KINDS)('concurrency limit and listings (%s store)', (kind) => {
  it('runs at most maxConcurrentWorkflows at once and starts the others in FIFO order', async () => {
    const gates = new Map<number, Gate>();
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      maxConcurrentWorkflows: 2,
      actions: {
        work: async (input) => {
          const n = (input as { n: number }).n;
          started.push(n);
          running++;
          peak = Math.max(peak, running);
          const g = gate();
          gates.set(n, g);
          await g.promise;
          running--;
          return n;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) ids.push(await orch.workflowEngine.executeWorkflow('w', { n }));
    const statuses = await Promise.all(ids.map((id) => orch.workflowEngine.getExecutionStatus(id)));
    expect(statuses.map((s) => s?.status)).toEqual([
      'running',
      'running',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(orch.getMetrics().executions).toMatchObject({ running: 2, pending: 4 });
    // Release out of order: the queue still starts 2, 3, 4, 5 in submission order.
    const release = async (n: number) => {
      while (!gates.has(n)) await new Promise((r) => setImmediate(r));
      gates.get(n)?.open();
      await orch.workflowEngine.waitForCompletion(ids[n] as string);
    };
    await release(1);
    await release(0);
    await release(3);
    await release(2);
    await release(5);
    await release(4);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('gives a slot freed while an earlier request is being stored to that request, not to a later one', async () => {
    const { orch, hold, started, a } = await oneSlotBusy(kind);
    // B's create is slow; A ends (freeing the slot) while B is being stored, then C is requested.
    const { store } = orch;
    const create = store.createExecution.bind(store);
    const stored = gate();
    vi.spyOn(store, 'createExecution').mockImplementationOnce(async (execution, steps) => {
      await stored.promise;
      return create(execution, steps);
    });
    const b = orch.workflowEngine.executeWorkflow('w', { n: 'B' });
    hold.open();
    await orch.workflowEngine.waitForCompletion(a);
    const c = orch.workflowEngine.executeWorkflow('w', { n: 'C' });
    stored.open();
    for (const id of await Promise.all([b, c])) await orch.workflowEngine.waitForCompletion(id);
    expect(started).toEqual(['A', 'B', 'C']);
  });

  it('lets the requests behind a queued request whose create fails start without it', async () => {
    const { orch, hold, started, a } = await oneSlotBusy(kind);
    const fail = gate();
    vi.spyOn(orch.store, 'createExecution').mockImplementationOnce(async () => {
      await fail.promise;
      throw new Error('disk I/O error');
    });
    const b = orch.workflowEngine.executeWorkflow('w', { n: 'B' });
    b.catch(() => undefined);
    const c = await orch.workflowEngine.executeWorkflow('w', { n: 'C' });
    hold.open();
    await orch.workflowEngine.waitForCompletion(a);
    try {
      // B was requested first: C waits for B's create to end either way.
      expect((await orch.workflowEngine.getExecutionStatus(c))?.status).toBe('pending');
    } finally {
      fail.open();
    }
    await expect(b).rejects.toThrow('disk I/O error');
    expect((await orch.workflowEngine.waitForCompletion(c)).status).toBe('completed');
    expect(started).toEqual(['A', 'C']);
  });

  it('keeps the default limit of 100 running executions', async () => {
    const hold = gate();
    let running = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        work: async () => {
          running++;
          await hold.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const ids: string[] = [];
    for (let n = 0; n < 103; n++) ids.push(await orch.workflowEngine.executeWorkflow('w', { n }));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(running).toBe(100);
    expect(await orch.workflowEngine.listExecutions({ status: 'pending' })).toHaveLength(3);
    hold.open();
    for (const id of ids) await orch.workflowEngine.waitForCompletion(id);
    expect(running).toBe(103);
  });

  it('lists executions by status and workflow, newest first, with a limit', async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      maxConcurrentWorkflows: 1,
      actions: {
        ok: () => 'ok',
        bad: () => {
          throw new Error('bad');
        },
        block: () => hold.promise,
      },
    });
    await orch.workflowEngine.defineWorkflow('good', [{ name: 'ok' }]);
    await orch.workflowEngine.defineWorkflow('broken', [{ name: 'bad' }]);
    await orch.workflowEngine.defineWorkflow('slow', [{ name: 'block' }]);
    const c1 = (await runToEnd(orch, 'good')).id;
    const f1 = (await runToEnd(orch, 'broken')).id;
    const c2 = (await runToEnd(orch, 'good')).id;
    const r1 = await orch.workflowEngine.executeWorkflow('slow');
    const p1 = await orch.workflowEngine.executeWorkflow('good');
    const p2 = await orch.workflowEngine.executeWorkflow('slow');
    await orch.workflowEngine.cancelWorkflow(p2);
    const p3 = await orch.workflowEngine.executeWorkflow('good');
    const list = async (options: Parameters<typeof orch.workflowEngine.listExecutions>[0]) =>
      (await orch.workflowEngine.listExecutions(options)).map((s) => s.id);

    expect(await list({})).toEqual([p3, p2, p1, r1, c2, f1, c1]);
    expect(await list({ status: 'completed' })).toEqual([c2, c1]);
    expect(await list({ status: 'failed' })).toEqual([f1]);
    expect(await list({ status: 'running' })).toEqual([r1]);
    expect(await list({ status: 'pending' })).toEqual([p3, p1]);
    expect(await list({ status: 'cancelled' })).toEqual([p2]);
    expect(await list({ workflowId: 'good' })).toEqual([p3, p1, c2, c1]);
    expect(await list({ workflowId: 'good', status: 'completed' })).toEqual([c2, c1]);
    expect(await list({ limit: 2 })).toEqual([p3, p2]);
    expect(await list({ workflowId: 'nope' })).toEqual([]);
    for (const s of await orch.workflowEngine.listExecutions({ status: 'running' }))
      expect(s.status).toBe('running');

    hold.open();
    await orch.workflowEngine.waitForCompletion(p3);
    expect(await list({ status: 'running' })).toEqual([]);
    expect(await list({ status: 'pending' })).toEqual([]);
    expect(await list({ status: 'completed' })).toEqual([p3, p1, r1, c2, c1]);
  });

  it('rejects an unknown status filter with a ValidationError', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    await expect(
      orch.workflowEngine.listExecutions({ status: 'done' as unknown as 'completed' }),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('status') });
  });
});
