/**
 * The OpenAPI document says which request bodies may be left out: the generator marked every
 * body required, so a client generated from the document had to send `{}` to cancel an execution
 * or start one without input, though the routes take no body.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

type Doc = { paths: Record<string, Record<string, { requestBody?: { required?: boolean } }>> };

/** Every operation with a body, and whether that body is required. */
const BODIES: Record<string, boolean> = {
  'post /v1/workflows': true,
  'post /v1/workflows/{id}/executions': false,
  'post /v1/executions/{id}/cancel': false,
  'post /v1/remote-workers': true,
  'delete /v1/remote-workers/{workerId}': false,
  'post /v1/remote-workers/{workerId}/poll': false,
  'post /v1/remote-workers/{workerId}/tasks/{taskId}/heartbeat': false,
  'post /v1/remote-workers/{workerId}/tasks/{taskId}/complete': false,
  'post /v1/remote-workers/{workerId}/tasks/{taskId}/release': false,
  'post /v1/remote-workers/{workerId}/tasks/{taskId}/fail': true,
};

describe('GET /openapi.json: request bodies', () => {
  it('marks a body required only where the route refuses a request without one', async () => {
    const f = await setup();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as Doc;
    const found: Record<string, boolean | undefined> = {};
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.requestBody) found[`${method} ${path}`] = op.requestBody.required;
      }
    }
    expect(found).toEqual(BODIES);
  });

  it('matches what the routes do: cancel and start answer a request without a body', async () => {
    const f = await setup();
    await f.orch.workflowEngine.defineWorkflow('wf', [{ name: 'block' }]);
    const started = await f.call({ method: 'POST', url: '/v1/workflows/wf/executions' });
    expect(started.statusCode).toBe(202);
    const { id } = started.json() as { id: string };
    const cancelled = await f.call({ method: 'POST', url: `/v1/executions/${id}/cancel` });
    expect(cancelled.json()).toEqual({ cancelled: true });
    const define = await f.call({ method: 'POST', url: '/v1/workflows' });
    expect(define.statusCode).toBe(400);
  });
});
