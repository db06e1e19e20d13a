/**
 * The HTTP status of an execution gives a compensation waiting for its retry its next attempt's
 * time (`compensation.nextAttemptAt`, ISO), as it gives a waiting step's, and the OpenAPI document
 * describes the field.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

describe('a compensation waiting for its retry over HTTP', () => {
  it('has nextAttemptAt in GET /v1/executions/:id and in the OpenAPI ExecutionStatus', async () => {
    const clock = new FakeClock();
    let undoCalls = 0;
    const f = await setup({
      orchestrator: {
        clock,
        compensations: {
          release: () => {
            undoCalls++;
            throw new Error('not yet');
          },
        },
      },
    });
    await f.orch.workflowEngine.defineWorkflow('wf', [
      { name: 'reserve', compensation: 'release' },
      { name: 'fail' },
    ]);
    const id = await f.orch.workflowEngine.executeWorkflow('wf');
    await clock.advance(100);
    expect(undoCalls).toBe(1);
    const failedAt = clock.now() - 100;

    const res = await f.call({ url: `/v1/executions/${id}` });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { status: string; steps: { compensation?: Record<string, unknown> }[] };
    expect(body.status).toBe('compensating');
    expect(body.steps[0]?.compensation).toMatchObject({
      status: 'running',
      attempts: 1,
      nextAttemptAt: new Date(failedAt + 1000).toISOString(),
    });

    type Schema = { properties?: Record<string, Schema>; items?: Schema; type?: string };
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as {
      components: { schemas: Record<string, Schema> };
    };
    const step = doc.components.schemas.ExecutionStatus?.properties?.steps?.items;
    expect(step?.properties?.compensation?.properties?.nextAttemptAt).toMatchObject({ type: 'string' });
    expect(step?.properties?.earlierCompensations?.items?.properties?.nextAttemptAt).toMatchObject({
      type: 'string',
    });
  });
});
