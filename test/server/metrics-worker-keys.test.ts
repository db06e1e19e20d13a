/**
 * GET /v1/metrics' `loadDistribution` is keyed by worker id (in cluster mode, node id), and those
 * are free text: a worker named `__proto__` was left out of the answer (the response schema's
 * record copied the loads into a new object, and zod drops that key), while getMetrics(),
 * GET /v1/workers and GET /metrics listed it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

describe('GET /v1/metrics loadDistribution', () => {
  it('lists every worker, one named __proto__ or constructor too', async () => {
    const workers = ['__proto__', 'constructor', 'w'];
    const f = await setup({ orchestrator: { workers } });
    await f.orch.workflowEngine.defineWorkflow('wf', [{ name: 'block' }]);
    for (let i = 0; i < 4; i++) await f.orch.workflowEngine.executeWorkflow('wf');
    const expected = [
      ['__proto__', 2],
      ['constructor', 1],
      ['w', 1],
    ];
    expect(Object.entries(f.orch.getMetrics().loadDistribution)).toEqual(expected);
    const res = await f.call({ method: 'GET', url: '/v1/metrics' });
    expect(res.statusCode).toBe(200);
    // Read as written (JSON.parse keeps a "__proto__" key as an entry).
    expect(Object.entries(JSON.parse(res.body).loadDistribution)).toEqual(expected);
  });

  it('is still described in the OpenAPI document as an object of numbers', async () => {
    const f = await setup();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json();
    expect(doc.components.schemas.MetricsSnapshot.properties.loadDistribution).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'number' },
    });
  });
});
