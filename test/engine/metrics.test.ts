/**
 * Metrics and events (SPEC §4, §5): the MetricsSnapshot counts and rates (success = completed /
 * finished; retry = steps that needed a retry / steps run; compensation = executions that
 * compensated / finished), durations (avg, p95), the load distribution, per-workflow snapshots,
 * the order of events, and alerts.
 */
import { describe, expect, it } from 'vitest';
import { type ActionHandler, type Alert, FakeClock } from '../../src/index.js';
import { Metrics } from '../../src/monitoring/metrics.js';
import {
  collectEvents,
  finishWithClock,
  gate,
  memoryLogger,
  runToEnd,
  STORE_KINDS,
  storeUrl,
  tempSqliteUrl,
  untilAborted,
  waitForStatus,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('metrics (%s store)', (kind) => {
  it('starts empty', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), workers: ['w1', 'w2'] });
    expect(orch.getMetrics()).toEqual({
      executions: expect.objectContaining({
        total: 0,
        running: 0,
        pending: 0,
        completed: 0,
        failed: 0,
        cancelled: 0,
      }),
      successRate: 0,
      avgExecutionMs: 0,
      p95ExecutionMs: 0,
      retryRate: 0,
      stepsRun: 0,
      durationSample: 0,
      compensationRate: 0,
      loadDistribution: { w1: 0, w2: 0 },
    });
  });

  it('counts executions by status and computes successRate = completed / finished', async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      maxConcurrentWorkflows: 1,
      actions: {
        ok: () => 1,
        bad: () => {
          throw new Error('x');
        },
        block: () => hold.promise,
      },
    });
    await orch.workflowEngine.defineWorkflow('ok', [{ name: 'ok' }]);
    await orch.workflowEngine.defineWorkflow('bad', [{ name: 'bad' }]);
    await orch.workflowEngine.defineWorkflow('slow', [{ name: 'block' }]);
    for (let i = 0; i < 3; i++) await runToEnd(orch, 'ok');
    await runToEnd(orch, 'bad');
    const running = await orch.workflowEngine.executeWorkflow('slow');
    const queued = await orch.workflowEngine.executeWorkflow('ok');
    const cancelled = await orch.workflowEngine.executeWorkflow('ok');
    await orch.workflowEngine.cancelWorkflow(cancelled);
    const m = orch.getMetrics();
    expect(m.executions).toMatchObject({
      total: 7,
      running: 1,
      pending: 1,
      completed: 3,
      failed: 1,
      cancelled: 1,
    });
    expect(m.successRate).toBeCloseTo(3 / 5, 10);
    expect(orch.getMetrics('ok').executions).toMatchObject({
      total: 5,
      pending: 1,
      completed: 3,
      cancelled: 1,
    });
    expect(orch.getMetrics('ok').successRate).toBeCloseTo(3 / 4, 10);
    expect(orch.getMetrics('bad').successRate).toBe(0);
    expect(orch.getMetrics('bad').executions).toMatchObject({ total: 1, failed: 1 });
    hold.open();
    await orch.workflowEngine.waitForCompletion(running);
    await orch.workflowEngine.waitForCompletion(queued);
    expect(orch.getMetrics().executions).toMatchObject({ total: 7, running: 0, pending: 0, completed: 5 });
    expect(orch.getMetrics().successRate).toBeCloseTo(5 / 7, 10);
  });

  it('reports avgExecutionMs and p95ExecutionMs from execution durations', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { work: (input: unknown) => clock.sleep((input as { ms: number }).ms) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    for (let i = 1; i <= 20; i++) {
      await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w', { ms: i * 100 }), {
        stepMs: 100,
      });
    }
    const m = orch.getMetrics();
    expect(m.avgExecutionMs).toBeCloseTo(1050, -1);
    expect(m.p95ExecutionMs).toBeGreaterThanOrEqual(1900 * 0.99);
    expect(m.p95ExecutionMs).toBeLessThanOrEqual(2000 * 1.01);
    expect(orch.getMetrics('w').avgExecutionMs).toBeCloseTo(1050, -1);
  });

  it('computes retryRate as steps that needed a retry / steps run', async () => {
    const clock = new FakeClock();
    let flakyCalls = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: {
        steady: () => 'ok',
        flaky: () => {
          // Fails twice, then succeeds: one step that needed a retry (three runs of it).
          if (++flakyCalls <= 2) throw new Error('transient');
          return 'ok';
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'steady' },
      { name: 'flaky', retry: true },
      { name: 'also_steady', action: 'steady' },
      { name: 'last', action: 'steady' },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.status).toBe('completed');
    // 4 steps ran, 1 of them needed a retry.
    expect(orch.getMetrics().retryRate).toBeCloseTo(1 / 4, 10);
    expect(orch.getMetrics('w').retryRate).toBeCloseTo(1 / 4, 10);
  });

  it('computes compensationRate as executions that compensated / finished', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: () => 1,
        bad: () => {
          throw new Error('x');
        },
      },
      compensations: { undo: () => undefined },
    });
    await orch.workflowEngine.defineWorkflow('saga', [{ name: 'a', compensation: 'undo' }, { name: 'bad' }]);
    await orch.workflowEngine.defineWorkflow('plain_fail', [{ name: 'a' }, { name: 'bad' }]);
    await orch.workflowEngine.defineWorkflow('ok', [{ name: 'a', compensation: 'undo' }]);
    await runToEnd(orch, 'saga');
    await runToEnd(orch, 'plain_fail');
    await runToEnd(orch, 'ok');
    await runToEnd(orch, 'ok');
    expect(orch.getMetrics().compensationRate).toBeCloseTo(1 / 4, 10);
    expect(orch.getMetrics('saga').compensationRate).toBe(1);
    expect(orch.getMetrics('ok').compensationRate).toBe(0);
  });

  it("reports the load balancer's distribution, including running executions", async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      workers: ['w1', 'w2', 'w3'],
      actions: { block: () => hold.promise },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const ids = [
      await orch.workflowEngine.executeWorkflow('w'),
      await orch.workflowEngine.executeWorkflow('w'),
      await orch.workflowEngine.executeWorkflow('w'),
      await orch.workflowEngine.executeWorkflow('w'),
    ];
    expect(orch.getMetrics().loadDistribution).toEqual({ w1: 2, w2: 1, w3: 1 });
    expect(orch.getMetrics().loadDistribution).toEqual(orch.loadBalancer.getLoadDistribution());
    hold.open();
    for (const id of ids) await orch.workflowEngine.waitForCompletion(id);
    expect(orch.getMetrics().loadDistribution).toEqual({ w1: 0, w2: 0, w3: 0 });
  });

  it("drops an execution's load as it ends: its terminal events see the load and the counts agree", async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      workers: ['w1', 'w2'],
      actions: {
        ok: () => 1,
        bad: () => {
          throw new Error('x');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('ok', [{ name: 'ok' }]);
    await orch.workflowEngine.defineWorkflow('bad', [{ name: 'bad' }]);
    const seen: unknown[] = [];
    const look = () =>
      seen.push({
        running: orch.getMetrics().executions.running,
        load: orch.getMetrics().loadDistribution,
        worker: orch.loadBalancer.getWorker(ids[0] as string),
      });
    orch.on('execution.completed', look);
    orch.on('execution.failed', look);
    orch.on('execution.finished', look);
    const ids: string[] = [];
    ids.push(await orch.workflowEngine.executeWorkflow('ok'));
    await orch.workflowEngine.waitForCompletion(ids[0] as string);
    ids.push(await orch.workflowEngine.executeWorkflow('bad'));
    await orch.workflowEngine.waitForCompletion(ids[1] as string);
    const idle = { running: 0, load: { w1: 0, w2: 0 }, worker: undefined };
    expect(seen).toEqual([idle, idle, idle, idle]);
    // The status still names the worker it ran on.
    expect((await orch.workflowEngine.getExecutionStatus(ids[0] as string))?.workerId).toBe('w1');
  });

  it('fires execution.started, step.completed (each step), then execution.completed, in order', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 'A', b: () => 'B' } });
    const events = collectEvents(orch, [
      'execution.started',
      'step.completed',
      'execution.completed',
      'execution.failed',
    ]);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }]);
    const status = await runToEnd(orch, 'w');
    expect(
      events.all.map((e) =>
        e.event === 'step.completed' ? `step.completed:${(e.payload as { step: string }).step}` : e.event,
      ),
    ).toEqual(['execution.started', 'step.completed:a', 'step.completed:b', 'execution.completed']);
    expect(events.of('execution.started')[0]).toMatchObject({
      executionId: status.id,
      workflowId: 'w',
      workerId: 'worker_1',
    });
    expect(events.of('step.completed')[1]).toMatchObject({
      executionId: status.id,
      step: 'b',
      output: 'B',
      attempt: 1,
    });
    expect(events.of('execution.completed')[0]).toMatchObject({
      executionId: status.id,
      status: 'completed',
    });
  });

  it('fires execution.started, step.completed, then execution.failed with the error', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: () => 'A',
        b: () => {
          throw Object.assign(new Error('no'), { code: 'E_NO' });
        },
      },
    });
    const events = collectEvents(orch, [
      'execution.started',
      'step.completed',
      'execution.completed',
      'execution.failed',
    ]);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }]);
    await runToEnd(orch, 'w');
    expect(events.all.map((e) => e.event)).toEqual([
      'execution.started',
      'step.completed',
      'execution.failed',
    ]);
    expect(events.of('execution.failed')[0]?.error).toEqual({ code: 'E_NO', message: 'no', step: 'b' });
  });

  it('delivers step.completed before execution.completed for a single-step workflow', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { only: () => 1 } });
    const order: string[] = [];
    orch.on('step.completed', () => order.push('step.completed'));
    orch.on('execution.completed', () => order.push('execution.completed'));
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'only' }]);
    await runToEnd(orch, 'w');
    expect(order).toEqual(['step.completed', 'execution.completed']);
  });
});

describe.each(STORE_KINDS)('alerts (%s store)', (kind) => {
  it('raises an execution_time alert for an execution over the threshold', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      alerts: { executionTimeMs: 1000 },
      actions: { work: (input: unknown) => clock.sleep((input as { ms: number }).ms) },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w', { ms: 500 }));
    // At the threshold is not over it.
    await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w', { ms: 1000 }));
    expect(orch.getMetrics().avgExecutionMs).toBeCloseTo(750, -1);
    expect(alerts).toEqual([]);
    const slow = await finishWithClock(
      orch,
      clock,
      await orch.workflowEngine.executeWorkflow('w', { ms: 1500 }),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: 'execution_time',
      workflowId: 'w',
      executionId: slow.id,
      threshold: 1000,
    });
    expect(orch.getAlerts().map((a) => a.type)).toEqual(['execution_time']);
  });

  it('logs each alert at warn, with its fields, as well as emitting it', async () => {
    const clock = new FakeClock();
    const logger = memoryLogger();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      logger,
      alerts: { executionTimeMs: 1000 },
      actions: { work: () => clock.sleep(1500) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const slow = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    const logged = logger.lines.filter((l) => l.msg?.startsWith('alert: '));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'warn',
      msg: `alert: ${orch.getAlerts()[0]!.message}`,
      obj: { alert: { type: 'execution_time', workflowId: 'w', executionId: slow.id, threshold: 1000 } },
    });
    expect((logged[0]!.obj as { alert: { at: string } }).alert.at).toBe(
      orch.getAlerts()[0]!.at.toISOString(),
    );
  });

  it('raises execution_time while a stuck execution still runs, once, not again when it ends', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      sweepInterval: 0.5,
      alerts: { executionTimeMs: 1000, cooldown: 0 },
      actions: { block: (_input, ctx) => untilAborted(ctx.signal) },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const stuck = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(900);
    expect(alerts).toEqual([]);
    await clock.advance(600);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: 'execution_time',
      workflowId: 'w',
      executionId: stuck,
      threshold: 1000,
    });
    expect(alerts[0]!.message).toMatch(/has been running for \d+ ms/);
    expect(alerts[0]!.value).toBeGreaterThan(1000);
    await clock.advance(5000);
    expect(await orch.workflowEngine.cancelWorkflow(stuck)).toBe(true);
    await orch.workflowEngine.waitForCompletion(stuck, { timeout: 5 });
    // Alerted once while it ran; its end (cooldown 0) adds no second alert for the same run.
    expect(alerts.filter((a) => a.executionId === stuck)).toHaveLength(1);
  });

  it('records no execution time for an execution cancelled before it started', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      maxConcurrentWorkflows: 1,
      alerts: { executionTimeMs: 1000 },
      actions: { block: (_input, ctx) => untilAborted(ctx.signal) },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const running = await orch.workflowEngine.executeWorkflow('w');
    const queued = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(5000);
    // Five seconds in the queue, none of it running: no execution time to report.
    expect(await orch.workflowEngine.cancelWorkflow(queued)).toBe(true);
    expect(alerts.filter((a) => a.executionId === queued)).toEqual([]);
    expect(orch.getMetrics()).toMatchObject({ avgExecutionMs: 0, p95ExecutionMs: 0 });
    expect(orch.getMetrics().executions.cancelled).toBe(1);
    expect(await orch.workflowEngine.cancelWorkflow(running)).toBe(true);
  });

  it('raises a failure_rate alert when the failure rate goes over the threshold', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      alerts: { failureRate: 0.5, minSamples: 4 },
      actions: {
        run: (input: unknown) => {
          if ((input as { fail: boolean }).fail) throw new Error('x');
        },
      },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'run' }]);
    for (const fail of [false, true, false, true]) await runToEnd(orch, 'w', { fail });
    expect(alerts.filter((a) => a.type === 'failure_rate')).toEqual([]);
    await runToEnd(orch, 'w', { fail: true });
    const rate = alerts.filter((a) => a.type === 'failure_rate');
    expect(rate).toHaveLength(1);
    expect(rate[0]).toMatchObject({ workflowId: 'w', value: 3 / 5, threshold: 0.5 });
  });

  it('raises a load_imbalance alert when worker loads drift apart', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      workers: ['w1', 'w2'],
      alerts: { imbalanceMinActive: 2 },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    const lb = orch.loadBalancer;
    for (const id of ['x1', 'x2', 'x3', 'x4']) lb.assignWorkflow(id);
    lb.completeWorkflow('x2');
    lb.completeWorkflow('x4');
    expect(lb.getLoadDistribution()).toEqual({ w1: 2, w2: 0 });
    await clock.advance(orch.config.sweepInterval * 1000 + 10);
    expect(alerts.map((a) => a.type)).toContain('load_imbalance');
  });

  it('raises no load_imbalance alert for loads as even as whole executions allow', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      workers: ['w1', 'w2', 'w3'],
      alerts: { imbalanceMinActive: 2 },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    const lb = orch.loadBalancer;
    for (const id of ['x1', 'x2', 'x3', 'x4']) lb.assignWorkflow(id);
    // isBalanced(0.3) says no (2 is 0.67 from the mean 1.33), yet no placement does better.
    expect(lb.getLoadDistribution()).toEqual({ w1: 2, w2: 1, w3: 1 });
    expect(lb.isBalanced(0.3)).toBe(false);
    await clock.advance(orch.config.sweepInterval * 1000 + 10);
    expect(alerts.map((a) => a.type)).not.toContain('load_imbalance');
  });
});

describe('retry rate across restarts (sqlite store)', () => {
  it('counts a step retried once, however often the process stops during its retry', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    let runs = 0;
    // Run 1 fails; runs 2 and 3 (the first retry, then the same retry after a restart) hang
    // until the process stops; run 4 succeeds.
    const s: ActionHandler = (_input, ctx) =>
      ++runs === 1 ? Promise.reject(new Error('transient')) : untilAborted(ctx.signal);
    const first = await withOrchestrator({ store, clock, actions: { s } });
    await first.workflowEngine.defineWorkflow('w', [{ name: 's', retry: true }]);
    const id = await first.workflowEngine.executeWorkflow('w');
    while (runs < 2) await clock.advance(500);
    await first.close();
    const second = await withOrchestrator({ store, clock, actions: { s } });
    while (runs < 3) await clock.advance(500);
    await second.close();
    const third = await withOrchestrator({ store, clock, actions: { s: () => 'ok' } });
    const status = await finishWithClock(third, clock, id);
    expect(status.status).toBe('completed');
    expect(status.steps[0]?.attempts).toBe(4);
    expect(third.getMetrics().retryRate).toBe(1);
  });
});

describe('compensationRate while a saga compensates', () => {
  it('counts an execution once it finished compensating, not while it compensates', async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      actions: { a: () => 1, bad: () => Promise.reject(new Error('x')) },
      compensations: { undo: () => hold.promise },
    });
    await orch.workflowEngine.defineWorkflow('ok', [{ name: 'a' }]);
    await orch.workflowEngine.defineWorkflow('saga', [{ name: 'a', compensation: 'undo' }, { name: 'bad' }]);
    await runToEnd(orch, 'ok');
    const id = await orch.workflowEngine.executeWorkflow('saga');
    await waitForStatus(orch, id, (s) => s.status === 'compensating');
    expect(orch.getMetrics().compensationRate).toBe(0);
    hold.open();
    expect((await orch.workflowEngine.waitForCompletion(id)).status).toBe('failed');
    expect(orch.getMetrics().compensationRate).toBe(0.5);
  });
});

describe('Metrics with many workflows', () => {
  const stored = () => ({
    byStatus: { pending: 0, running: 0, compensating: 0, completed: 5, failed: 0, cancelled: 0 },
    compensated: 0,
    stepsRun: 5,
    stepsRetried: 0,
  });

  it('keeps the stored counts of every workflow, past a thousand', () => {
    const metrics = new Metrics();
    for (let i = 0; i <= 1500; i++) metrics.load(stored(), `wf_${i}`);
    expect(metrics.snapshot({}, 'wf_0').executions.completed).toBe(5);
    expect(metrics.snapshot({}, 'wf_1500').executions.completed).toBe(5);
  });

  it('keeps durations for the thousand workflows recorded into most recently', () => {
    const metrics = new Metrics();
    for (let i = 0; i <= 1000; i++) metrics.finished(`wf_${i}`, 'running', 'completed', 10);
    metrics.finished('wf_1', 'running', 'completed', 30);
    metrics.finished('wf_1001', 'running', 'completed', 10);
    // wf_0 was recorded into least recently: its durations went, its counts stayed.
    expect(metrics.snapshot({}, 'wf_0')).toMatchObject({ avgExecutionMs: 0, executions: { completed: 1 } });
    expect(metrics.snapshot({}, 'wf_1').avgExecutionMs).toBeCloseTo(20, 0);
    expect(metrics.snapshot({}).executions.completed).toBe(1003);
  });
});

describe('Metrics of a shared store: this node plus the others', () => {
  const others = (running: number, completed: number) =>
    new Map([
      [
        'wf',
        {
          byStatus: { pending: 0, running, compensating: 0, completed, failed: 0, cancelled: 0 },
          compensated: 0,
          stepsRun: running + completed,
          stepsRetried: 0,
        },
      ],
    ]);
  const taken = {
    workflowId: 'wf',
    status: 'running' as const,
    compensated: false,
    stepsRun: 1,
    stepsRetried: 0,
  };

  it('adds the others to its own counts, and an execution taken over moves from theirs to its own', () => {
    const metrics = new Metrics();
    metrics.setOthers(others(2, 3));
    metrics.created('wf');
    metrics.transition('wf', 'pending', 'running');
    metrics.finished('wf', 'running', 'completed', 10);
    expect(metrics.snapshot({}).executions).toMatchObject({ total: 6, running: 2, completed: 4 });
    expect(metrics.takeOthersMoved()).toBe(false);

    metrics.adopt(taken, true);
    expect(metrics.snapshot({}, 'wf').executions).toMatchObject({ total: 6, running: 2, completed: 4 });
    expect(metrics.takeOthersMoved()).toBe(true);
    // The next read of the others no longer has it: still counted once.
    metrics.setOthers(others(1, 3));
    metrics.finished('wf', 'running', 'completed', 10);
    expect(metrics.snapshot({}).executions).toMatchObject({ total: 6, running: 1, completed: 5 });
    expect(metrics.snapshot({}).retryRate).toBe(0);

    // Lost to another node: theirs again, until their next read has it.
    metrics.adopt(taken, false);
    metrics.disown(taken);
    expect(metrics.snapshot({}).executions).toMatchObject({ total: 7, running: 2, completed: 5 });
    expect(metrics.takeOthersMoved()).toBe(true);
    // Durations stay this node's.
    expect(metrics.snapshot({}).avgExecutionMs).toBe(10);
  });
});
