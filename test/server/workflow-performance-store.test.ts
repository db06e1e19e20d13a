/**
 * `GET /v1/workflows/:id/performance?source=store`: the optimizer's figures of the newest finished
 * executions in the store, whichever node ran them — a node that did not run them (another node of
 * a cluster, or this one after a restart) answers what the node that ran them recorded: execution
 * and step times, retries, waits, failures, compensations, the bottleneck and the suggestions.
 * `limit` counts the executions read; a bad `source` or `limit` is a 400 naming it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { workflowPerformance } from '../../src/performance/workflow-performance.js';
import { finishWithClock } from '../helpers/orchestrator.js';
import { runOrders } from '../helpers/order-runs.js';
import { closeAll, envelope, setup } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  await closeAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const url = (query: string) => `/v1/workflows/order/performance${query}`;

/** A SQLite store on which a node (then closed) ran three executions of `order`, and its figures. */
async function ranElsewhere() {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-perf-'));
  dirs.push(dir);
  const store = `sqlite:${join(dir, 'store.sqlite')}`;
  return { store, recorded: await runOrders(store) };
}

describe('GET /v1/workflows/:id/performance?source=store', () => {
  it('answers, on a node that ran none of them, the figures the node that ran them recorded', async () => {
    const { store, recorded } = await ranElsewhere();
    // The figures are worth comparing: retries, waits, a failure, a compensation, suggestions.
    expect(recorded.stats.count).toBe(3);
    expect(recorded.steps.find((s) => s.name === 'charge')).toMatchObject({ retries: 1, waitAvg: 1_000 / 3 });
    expect(recorded.steps.find((s) => s.name === 'ship')).toMatchObject({ failures: 1 });
    expect(recorded.steps.find((s) => s.name === 'reserve')).toMatchObject({
      compensations: 1,
      compensationAvg: 300,
    });
    expect(recorded.suggestions.length).toBeGreaterThan(0);

    const f = await setup({ orchestrator: { store } });
    const own = await f.call({ url: url('') });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ source: 'node', stats: { count: 0 }, steps: [] });
    expect(own.json()).not.toHaveProperty('runs');

    const res = await f.call({ url: url('?source=store') });
    expect(res.statusCode, res.body).toBe(200);
    const { recorded: words, ...figures } = recorded;
    expect(res.json()).toEqual({
      ...figures,
      nodeId: f.orch.nodeId,
      source: 'store',
      runs: 3,
      recorded: "the newest 3 finished executions in the store, every node's, of v1",
    });
    expect(words).toBe('recorded since this node started, of v1');
    // The condition step is no run of work, for the store's figures as for the node's.
    expect(res.json().steps.map((s: { name: string }) => s.name)).toEqual(['reserve', 'charge', 'ship']);
  });

  it('counts a step the workflow timeout cut short as a failed run up to then, as the node did', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orchestrator-perf-'));
    dirs.push(dir);
    const store = `sqlite:${join(dir, 'store.sqlite')}`;
    const clock = new FakeClock();
    const node = await createOrchestrator({
      store,
      clock,
      actions: { quick: () => ({ ok: true }), stuck: (_input, ctx) => clock.sleep(60_000, ctx.signal) },
    });
    await node.workflowEngine.defineWorkflow(
      'order',
      [
        { name: 'first', action: 'quick' },
        { name: 'wait', action: 'stuck' },
      ],
      { timeout: 5 },
    );
    const id = await node.workflowEngine.executeWorkflow('order', {});
    const status = await finishWithClock(node, clock, id, { stepMs: 100 });
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    const { recorded: _, ...figures } = workflowPerformance(node.performanceOptimizer, 'order');
    expect(figures.steps.find((s) => s.name === 'wait')).toMatchObject({ count: 1, failures: 1 });
    await node.close();

    const f = await setup({ orchestrator: { store } });
    const res = await f.call({ url: url('?source=store') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ...figures, runs: 1 });
  });

  it('reads the newest `limit` finished executions', async () => {
    const { store } = await ranElsewhere();
    const f = await setup({ orchestrator: { store } });
    const res = await f.call({ url: url('?source=store&limit=1') });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      runs: 1,
      recorded: "the newest 1 finished execution in the store, every node's, of v1",
    });
    // The newest is the one whose `ship` failed.
    expect(body.steps.find((s: { name: string }) => s.name === 'ship')).toMatchObject({
      count: 1,
      failures: 1,
    });
    expect(body.stats.count).toBe(1);
  });

  it('answers zeros and runs 0 for a workflow with no finished execution', async () => {
    const f = await setup();
    const def = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { id: 'order', steps: [{ name: 's', action: 'greet' }] },
    });
    expect(def.statusCode, def.body).toBe(201);
    const res = await f.call({ url: url('?source=store') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      source: 'store',
      runs: 0,
      version: null,
      recorded: 'no finished execution in the store yet',
      stats: { count: 0, avg: 0 },
      steps: [],
      bottleneck: null,
      suggestions: [],
    });
  });

  it('refuses a bad source or limit, naming it, and a workflow that is not defined', async () => {
    const f = await setup();
    await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { id: 'order', steps: [{ name: 's', action: 'greet' }] },
    });
    const cases: [string, string][] = [
      [
        '?limit=5',
        'Invalid request: query.limit: only with source=store (the node keeps no list of runs to count)',
      ],
      ['?source=cluster', 'Invalid request: query.source:'],
      ['?source=store&limit=0', 'Invalid request: query.limit:'],
      ['?source=store&limit=1001', 'Invalid request: query.limit:'],
      ['?source=store&limit=1e3', 'Invalid request: query.limit: expected a whole number in decimal digits'],
      ['?version=1', "Invalid request: query.version: unknown key 'version'"],
    ];
    for (const [query, message] of cases) {
      const res = await f.call({ url: url(query) });
      expect(res.statusCode, `${query}: ${res.body}`).toBe(400);
      const error = envelope(res);
      expect(error.code).toBe('VALIDATION');
      expect(error.message.startsWith(message), `${query}: ${error.message}`).toBe(true);
    }
    const missing = await f.call({ url: '/v1/workflows/ordr/performance?source=store' });
    expect(missing.statusCode).toBe(404);
    expect(envelope(missing).code).toBe('WORKFLOW_NOT_FOUND');
  });
});
