/**
 * Every way an execution ends gives its worker's load back, once: after many executions through
 * each ending (completed, failed and compensated, compensation failing, cancelled while running or
 * queued, step timeout, workflow timeout while running or queued, a parallel branch failing, a
 * `delay`), and across a shutdown and resume, every worker's load is back to 0 — and it never
 * went negative on the way, and matched the running and compensating executions at each end.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import {
  driveClock,
  nextTurn,
  STORE_KINDS,
  storeUrl,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

const ENDINGS = ['ok', 'fail', 'badcomp', 'hang', 'steptimeout', 'par', 'delay'] as const;

describe.each(STORE_KINDS)('worker load after every ending (%s store)', (kind) => {
  it('returns to 0 and never goes negative', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      workers: ['w1', 'w2', 'w3'],
      maxConcurrentWorkflows: 5,
      workflowTimeout: 10,
      actions: {
        ok: () => clock.sleep(100).then(() => 1),
        fail: () => Promise.reject(new Error('boom')),
        hang: (_input, ctx) => untilAborted(ctx.signal),
      },
      compensations: { undo: () => clock.sleep(50), badundo: () => Promise.reject(new Error('undo failed')) },
    });
    // At each end: the lowest worker load, and the load against the executions still active.
    const lows: number[] = [];
    const gaps: number[] = [];
    orch.on('execution.finished', () => {
      lows.push(Math.min(...Object.values(orch.loadBalancer.getLoadDistribution())));
      const { running, compensating } = orch.getMetrics().executions;
      gaps.push(orch.loadBalancer.activeCount() - running - compensating);
    });
    const e = orch.workflowEngine;
    await e.defineWorkflow('ok', [{ name: 'ok' }]);
    await e.defineWorkflow('fail', [
      { name: 'ok', compensation: 'undo' },
      { name: 'fail', retry: { maxAttempts: 1 } },
    ]);
    await e.defineWorkflow('badcomp', [{ name: 'ok', compensation: 'badundo' }, { name: 'fail' }]);
    await e.defineWorkflow('hang', [{ name: 'ok', compensation: 'undo' }, { name: 'hang' }]);
    await e.defineWorkflow('steptimeout', [{ name: 'hang', timeout: 1 }]);
    await e.defineWorkflow('par', [{ name: 'p', parallel: [{ name: 'ok' }, { name: 'fail' }] }]);
    await e.defineWorkflow('delay', [{ name: 'd', action: 'delay' }]);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      for (const w of ENDINGS) ids.push(await e.executeWorkflow(w, w === 'delay' ? { seconds: 3 } : {}));
    }
    await nextTurn();
    for (const s of (await e.listExecutions({ workflowId: 'hang', status: 'running' })).slice(0, 3)) {
      expect(await e.cancelWorkflow(s.id)).toBe(true);
    }
    for (const s of await e.listExecutions({ status: 'pending', limit: 5 })) {
      expect(await e.cancelWorkflow(s.id)).toBe(true);
    }
    const finals = await driveClock(clock, Promise.all(ids.map((id) => e.waitForCompletion(id))), {
      stepMs: 500,
    });

    const endings = new Set(finals.map((s) => `${s.status}:${s.error?.code ?? ''}`));
    for (const seen of [
      'completed:',
      'failed:STEP_FAILED',
      'failed:STEP_TIMEOUT',
      'failed:WORKFLOW_TIMEOUT',
      'cancelled:',
    ]) {
      expect(endings).toContain(seen);
    }
    expect(lows.length).toBe(ids.length);
    expect(Math.min(...lows)).toBeGreaterThanOrEqual(0);
    expect(gaps).toEqual(ids.map(() => 0));
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ w1: 0, w2: 0, w3: 0 });
    expect(orch.loadBalancer.activeCount()).toBe(0);
    expect(orch.getMetrics().loadDistribution).toEqual({ w1: 0, w2: 0, w3: 0 });
  });
});

describe('worker load across a shutdown and resume (sqlite store)', () => {
  it('is 0 on the stopped node and back to 0 on the resuming one', async () => {
    const url = tempSqliteUrl();
    const clock = new FakeClock();
    const first = await withOrchestrator({
      clock,
      store: url,
      workers: ['w1', 'w2'],
      actions: { work: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await first.workflowEngine.defineWorkflow('h', [{ name: 'work' }]);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await first.workflowEngine.executeWorkflow('h'));
    await nextTurn();
    expect(first.loadBalancer.getLoadDistribution()).toEqual({ w1: 3, w2: 3 });
    await first.close();
    expect(first.loadBalancer.activeCount()).toBe(0);

    const second = await withOrchestrator({
      clock,
      store: url,
      workers: ['w1', 'w2'],
      actions: { work: () => 'done' },
    });
    const finals = await driveClock(
      clock,
      Promise.all(ids.map((id) => second.workflowEngine.waitForCompletion(id))),
    );
    expect(finals.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
    expect(second.loadBalancer.getLoadDistribution()).toEqual({ w1: 0, w2: 0 });
  });
});
