/**
 * `GET /v1/workflows/:id/performance`: the optimizer's figures the dashboard's workflow page
 * shows, as JSON — the runs they come from, execution and step times, the bottleneck with its
 * share, and the suggestions; zeros for a workflow with no run; 404 as `GET /v1/workflows/:id`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock, MemoryStore } from '../../src/index.js';
import { finishWithClock } from '../helpers/orchestrator.js';
import { closeAll, define, envelope, setup, start } from './helpers.js';

afterEach(closeAll);

const url = (id: string) => `/v1/workflows/${id}/performance`;

describe('GET /v1/workflows/:id/performance', () => {
  it("answers this node's figures after two runs with a slow step: stats, steps, bottleneck, suggestions", async () => {
    const clock = new FakeClock();
    const f = await setup({
      orchestrator: { clock, actions: { slow: () => clock.sleep(1_500).then(() => ({ ok: true })) } },
    });
    await define(f, 'order', [
      { name: 'quick', action: 'greet' },
      { name: 'charge', action: 'slow' },
    ]);
    for (let i = 0; i < 2; i++) {
      const id = await start(f, 'order');
      expect((await finishWithClock(f.orch, clock, id, { stepMs: 100 })).status).toBe('completed');
    }

    const res = await f.call({ url: url('order') });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      workflowId: 'order',
      nodeId: f.orch.nodeId,
      version: 1,
      recorded: 'recorded since this node started, of v1',
      stats: { count: 2, avg: 1_500, min: 1_500, max: 1_500, p50: 1_500, p95: 1_500, p99: 1_500 },
      bottleneck: { step: 'charge', share: 1 },
      slowThresholdMs: 1_000,
    });
    expect(body.steps.map((s: { name: string }) => s.name)).toEqual(['quick', 'charge']);
    expect(body.steps[1]).toEqual({
      name: 'charge',
      count: 2,
      avg: 1_500,
      p95: 1_500,
      max: 1_500,
      retries: 0,
      failures: 0,
      waitAvg: 0,
      queueAvg: 0,
      compensations: 0,
      compensationAvg: 0,
      share: 1,
    });
    expect(body.steps[0]).toMatchObject({ name: 'quick', count: 2, avg: 0, share: 0 });
    // The same list the dashboard shows, with its caveat for few executions.
    expect(body.suggestions).toEqual(f.orch.performanceOptimizer.suggestOptimization('order', 1_500));
    expect(body.suggestions).toContain('Consider parallel execution of independent steps');
    expect(
      body.suggestions.some((s: string) => s.includes("'charge'") && s.endsWith('(from 2 executions only)')),
    ).toBe(true);
  });

  it('answers zeros, no steps, bottleneck null and no suggestions for a workflow with no run yet', async () => {
    const f = await setup();
    await define(f, 'idle', [{ name: 's', action: 'greet' }]);
    const res = await f.call({ url: url('idle') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      workflowId: 'idle',
      nodeId: f.orch.nodeId,
      source: 'node',
      version: null,
      recorded: 'recorded since this node started',
      stats: { count: 0, avg: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 },
      steps: [],
      bottleneck: null,
      slowThresholdMs: 1_000,
      suggestions: [],
    });
  });

  it('finds a workflow another node defined in the shared store', async () => {
    const store = new MemoryStore();
    const f = await setup({ orchestrator: { store } });
    const other = await createOrchestrator({ store, actions: { greet: () => 'hi' } });
    try {
      await other.workflowEngine.defineWorkflow('elsewhere', [{ name: 'greet' }]);
      const res = await f.call({ url: url('elsewhere') });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ workflowId: 'elsewhere', stats: { count: 0 }, bottleneck: null });
    } finally {
      await other.close();
    }
  });

  it('answers 404 WORKFLOW_NOT_FOUND for an undefined workflow, as GET /v1/workflows/:id', async () => {
    const f = await setup();
    const res = await f.call({ url: url('nope') });
    expect(res.statusCode).toBe(404);
    const plain = await f.call({ url: '/v1/workflows/nope' });
    expect(envelope(res)).toEqual(envelope(plain));
    expect(envelope(res).code).toBe('WORKFLOW_NOT_FOUND');
  });

  it('answers 400 VALIDATION for a bad workflow id, as the other routes', async () => {
    const f = await setup();
    const res = await f.call({ url: url('bad%20id') });
    expect(res.statusCode).toBe(400);
    expect(envelope(res).code).toBe('VALIDATION');
    const plain = await f.call({ url: '/v1/workflows/bad%20id' });
    expect(plain.statusCode).toBe(400);
  });

  it('answers 401 without the bearer token', async () => {
    const f = await setup();
    await define(f, 'order', [{ name: 's', action: 'greet' }]);
    const res = await f.app.inject({ url: url('order') });
    expect(res.statusCode).toBe(401);
    expect(envelope(res).code).toBe('UNAUTHORIZED');
  });

  it('is in /openapi.json with a summary, tags and its response schema', async () => {
    const f = await setup();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json();
    const op = doc.paths['/v1/workflows/{id}/performance']?.get;
    expect(op?.summary).toBeTruthy();
    expect(op?.tags).toContain('workflows');
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
    const ref = op.responses['200'].content['application/json'].schema.$ref;
    expect(ref).toBe('#/components/schemas/WorkflowPerformance');
    const schema = doc.components.schemas.WorkflowPerformance;
    // The query: where the figures come from, and how many of the store's runs.
    expect(op.parameters.map((p: { name: string; in: string }) => `${p.in}.${p.name}`).sort()).toEqual([
      'path.id',
      'query.limit',
      'query.source',
    ]);
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        'bottleneck',
        'nodeId',
        'recorded',
        'runs',
        'slowThresholdMs',
        'source',
        'stats',
        'steps',
        'suggestions',
        'version',
        'workflowId',
      ].sort(),
    );
  });
});
