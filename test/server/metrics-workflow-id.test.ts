/**
 * `GET /v1/metrics?workflowId=` takes what `GET /v1/executions?workflowId=` takes: a workflow id
 * (letters, digits, '_', '.', '-'), else the same 400 naming `query.workflowId`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, envelope, setup } from './helpers.js';

afterEach(closeAll);

describe('GET /v1/metrics?workflowId=', () => {
  it('refuses what is no workflow id with the 400 the executions listing gives', async () => {
    const f = await setup();
    for (const value of ['a%01b', 'a%20b', '..', '__proto__', 'x%00', 'caf%C3%A9', 'w'.repeat(129)]) {
      const metrics = await f.call({ url: `/v1/metrics?workflowId=${value}` });
      const listing = await f.call({ url: `/v1/executions?workflowId=${value}` });
      expect(listing.statusCode, value).toBe(400);
      expect(metrics.statusCode, value).toBe(400);
      const error = envelope(metrics);
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toMatch(/^Invalid request: query\.workflowId: expected a workflow id/);
      expect(error.message).toBe(envelope(listing).message);
    }
    await define(f, 'w.1-x_y', [{ name: 'a', action: 'greet' }]);
    expect((await f.call({ url: '/v1/metrics?workflowId=w.1-x_y' })).statusCode).toBe(200);
  });

  it('answers 404 WORKFLOW_NOT_FOUND naming a workflow that is not defined, as GET /v1/workflows/:id does', async () => {
    const f = await setup();
    const metrics = await f.call({ url: '/v1/metrics?workflowId=nope' });
    const workflow = await f.call({ url: '/v1/workflows/nope' });
    expect(workflow.statusCode).toBe(404);
    expect(metrics.statusCode).toBe(404);
    expect(envelope(metrics)).toEqual({
      code: 'WORKFLOW_NOT_FOUND',
      message: "Workflow 'nope' is not defined",
    });
    expect(envelope(metrics)).toEqual(envelope(workflow));
    await define(f, 'nope', [{ name: 'a', action: 'greet' }]);
    const defined = await f.call({ url: '/v1/metrics?workflowId=nope' });
    expect(defined.statusCode).toBe(200);
    expect(defined.json().executions).toMatchObject({ total: 0 });
  });
});
