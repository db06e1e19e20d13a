/**
 * Monitoring routes: the metrics snapshot (all and per workflow), workers and nodes, recent
 * alerts, Prometheus text with every metric family after a run, and /healthz.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, envelope, setup, start } from './helpers.js';

afterEach(closeAll);

describe('GET /v1/metrics', () => {
  it('returns the MetricsSnapshot, for all workflows or one', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    await define(f, 'broken', [{ name: 'fail' }]);
    for (const wf of ['hello', 'hello', 'broken']) {
      await f.orch.workflowEngine.waitForCompletion(await start(f, wf), { timeout: 5 });
    }
    const all = (await f.call({ url: '/v1/metrics' })).json();
    expect(all).toMatchObject({
      executions: { total: 3, completed: 2, failed: 1, running: 0, pending: 0, cancelled: 0 },
      loadDistribution: { worker_1: 0 },
    });
    expect(all.successRate).toBeCloseTo(2 / 3);
    for (const key of ['avgExecutionMs', 'p95ExecutionMs', 'retryRate', 'compensationRate']) {
      expect(typeof all[key]).toBe('number');
    }
    const one = (await f.call({ url: '/v1/metrics?workflowId=hello' })).json();
    expect(one.executions).toMatchObject({ total: 2, completed: 2 });
    expect(one.successRate).toBe(1);
    const blank = (await f.call({ url: '/v1/metrics?workflowId=' })).json();
    expect(blank.executions).toMatchObject({ total: 3 });
    const bad = await f.call({ url: '/v1/metrics?workflow=hello' });
    expect(bad.statusCode).toBe(400);
    expect(envelope(bad).message).toMatch(/query\.workflow: unknown key/);
  });
});

describe('GET /v1/workers', () => {
  it('reports load per worker, balance, and this node', async () => {
    const f = await setup({ orchestrator: { workers: ['w1', 'w2'], nodeId: 'node-a' } });
    await define(f, 'long', [{ name: 'block' }]);
    await start(f, 'long');
    const body = (await f.call({ url: '/v1/workers' })).json();
    expect(body).toMatchObject({
      workers: [
        { id: 'w1', active: 1 },
        { id: 'w2', active: 0 },
      ],
      balanced: false,
      threshold: 0.3,
      balanceScore: 1, // one execution on two workers: as even as it can be
      nodes: [{ id: 'node-a', running: 1, queued: 0 }],
    });
    expect(Date.now() - Date.parse(body.nodes[0].lastHeartbeat)).toBeLessThan(5000);
  });

  it('takes its nodes from a provider, passing extra fields through', async () => {
    const f = await setup({
      app: {
        nodes: () => [
          { id: 'n1', lastHeartbeat: new Date('2026-01-01T00:00:00Z'), running: 2, queued: 1, region: 'eu' },
          { id: 'n2', lastHeartbeat: new Date('2026-01-01T00:00:05Z'), running: 0, queued: 0 },
        ],
      },
    });
    const body = (await f.call({ url: '/v1/workers' })).json();
    expect(body.nodes).toEqual([
      { id: 'n1', lastHeartbeat: '2026-01-01T00:00:00.000Z', running: 2, queued: 1, region: 'eu' },
      { id: 'n2', lastHeartbeat: '2026-01-01T00:00:05.000Z', running: 0, queued: 0 },
    ]);
  });
});

describe('GET /v1/alerts', () => {
  it('returns recent alerts with ISO timestamps', async () => {
    const f = await setup({ orchestrator: { alerts: { failureRate: 0.1, minSamples: 1 } } });
    expect((await f.call({ url: '/v1/alerts' })).json()).toEqual({ alerts: [] });
    await define(f, 'broken', [{ name: 'fail' }]);
    await f.orch.workflowEngine.waitForCompletion(await start(f, 'broken'), { timeout: 5 });
    const { alerts } = (await f.call({ url: '/v1/alerts' })).json();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'failure_rate', severity: 'critical', workflowId: 'broken' });
    expect(alerts[0].at).toMatch(/Z$/);
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with every metric family after a run', async () => {
    const f = await setup({ orchestrator: { alerts: { failureRate: 0.1, minSamples: 1 } } });
    await define(f, 'saga', [
      { name: 'reserve', compensation: 'release' },
      { name: 'flaky', retry: { maxAttempts: 1, initialDelay: 0.01 } },
      { name: 'fail' },
    ]);
    await define(f, 'hello', [{ name: 'greet' }]);
    await f.orch.workflowEngine.waitForCompletion(await start(f, 'saga'), { timeout: 5 });
    await f.orch.workflowEngine.waitForCompletion(await start(f, 'hello'), { timeout: 5 });

    const res = await f.call({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.body;
    for (const [family, type] of [
      ['orchestrator_executions_started_total', 'counter'],
      ['orchestrator_executions_finished_total', 'counter'],
      ['orchestrator_executions_by_status', 'gauge'],
      ['orchestrator_execution_duration_seconds', 'histogram'],
      ['orchestrator_step_duration_seconds', 'histogram'],
      ['orchestrator_step_retries_total', 'counter'],
      ['orchestrator_compensations_total', 'counter'],
      ['orchestrator_alerts_total', 'counter'],
      ['orchestrator_queue_depth', 'gauge'],
      ['orchestrator_running_executions', 'gauge'],
      ['orchestrator_worker_load', 'gauge'],
      ['orchestrator_load_balance_score', 'gauge'],
    ]) {
      expect(text).toContain(`# TYPE ${family} ${type}`);
    }
    expect(text).toContain('orchestrator_executions_finished_total{workflow="saga",status="failed"} 1');
    expect(text).toContain('orchestrator_executions_finished_total{workflow="hello",status="completed"} 1');
    expect(text).toContain('orchestrator_executions_by_status{workflow="hello",status="completed"} 1');
    expect(text).toContain('orchestrator_step_retries_total{workflow="saga",step="flaky"} 1');
    expect(text).toContain(
      'orchestrator_compensations_total{workflow="saga",step="reserve",result="completed"} 1',
    );
    expect(text).toMatch(
      /orchestrator_step_duration_seconds_count\{workflow="hello",step="greet",outcome="completed"\} 1/,
    );
    expect(text).toContain('orchestrator_alerts_total{type="failure_rate",severity="critical"} 1');
    expect(text).toContain('orchestrator_worker_load{worker="worker_1"} 0');
    expect(text).toContain('orchestrator_queue_depth 0');
    expect(text).not.toContain('process_cpu');
  });

  it('adds process metrics on request, and each app has its own registry', async () => {
    const a = await setup({ app: { prometheus: { defaultMetrics: true } } });
    const b = await setup();
    expect((await a.call({ url: '/metrics' })).body).toContain('orchestrator_process_cpu_seconds_total');
    await define(b, 'hello', [{ name: 'greet' }]);
    await b.orch.workflowEngine.waitForCompletion(await start(b, 'hello'), { timeout: 5 });
    expect((await b.call({ url: '/metrics' })).body).toContain('workflow="hello"');
    expect((await a.call({ url: '/metrics' })).body).not.toContain('workflow="hello"');
  });
});

describe('GET /metrics: executions that never ran', () => {
  it('counts one cancelled while queued as finished, with no execution duration', async () => {
    const f = await setup({ orchestrator: { maxConcurrentWorkflows: 1 } });
    await define(f, 'long', [{ name: 'block' }]);
    const running = await start(f, 'long');
    const queued = await start(f, 'long');
    expect(await f.orch.workflowEngine.cancelWorkflow(queued)).toBe(true);
    await f.orch.workflowEngine.waitForCompletion(queued, { timeout: 5 });
    const text = (await f.call({ url: '/metrics' })).body;
    expect(text).toContain('orchestrator_executions_finished_total{workflow="long",status="cancelled"} 1');
    // Its wait in the queue is no execution time: it would drag the histogram toward 0 s runs.
    expect(text).not.toMatch(/orchestrator_execution_duration_seconds_count\{workflow="long"/);
    expect(await f.orch.workflowEngine.cancelWorkflow(running)).toBe(true);
    await f.orch.workflowEngine.waitForCompletion(running, { timeout: 5 });
    const after = (await f.call({ url: '/metrics' })).body;
    expect(after).toContain('orchestrator_executions_finished_total{workflow="long",status="cancelled"} 2');
    expect(after).toMatch(
      /orchestrator_execution_duration_seconds_count\{workflow="long",status="cancelled"\} 1\n/,
    );
  });
});

describe('GET /healthz', () => {
  it('answers ok, then 503 once the orchestrator closes', async () => {
    const f = await setup();
    const ok = await f.app.inject({ url: '/healthz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok' });
    await f.orch.close();
    const closing = await f.app.inject({ url: '/healthz' });
    expect(closing.statusCode).toBe(503);
    expect(closing.json()).toEqual({ status: 'closing' });
  });

  it('answers 503 closing (not 500) while the app itself closes', async () => {
    // Before: the app's refusal (the CLOSED envelope) failed /healthz's own 503 response schema,
    // so a probe saw 500 INTERNAL and the log an error, for the whole of the app's close.
    const f = await setup();
    const closing = f.app.close();
    const res = await f.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'closing' });
    expect(res.headers.connection).toBe('close');
    await closing;
  });
});
