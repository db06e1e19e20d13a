/**
 * The HTTP API after retention deleted executions: a deleted id answers 404 `EXECUTION_NOT_FOUND`
 * (status and cancel), the listing's `total` and pages count only what is left, and
 * `GET /v1/metrics` keeps counting what was deleted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tempSqliteUrl } from '../helpers/orchestrator.js';
import { closeAll, define, envelope, setup, start, until } from './helpers.js';

afterEach(closeAll);

describe('HTTP API after a purge', () => {
  it('404s a deleted id, pages what is left, and keeps the metrics totals', async () => {
    const f = await setup({ orchestrator: { store: tempSqliteUrl() } });
    await define(f, 'hello', [{ name: 'greet' }]);
    await define(f, 'slow', [{ name: 'block' }]);
    const done: string[] = [];
    for (let i = 0; i < 5; i++) done.push(await start(f, 'hello', { input: { name: `n${i}` } }));
    for (const id of done) await f.orch.workflowEngine.waitForCompletion(id);
    const running = await start(f, 'slow');
    await until(async () => (await f.orch.workflowEngine.getExecutionStatus(running))?.status === 'running');
    const metrics = (await f.call({ url: '/v1/metrics' })).json();

    expect(await f.orch.workflowEngine.purgeExecutions({ before: new Date(Date.now() + 60_000) })).toBe(5);

    const gone = await f.call({ url: `/v1/executions/${done[0]}` });
    expect(gone.statusCode).toBe(404);
    expect(envelope(gone).code).toBe('EXECUTION_NOT_FOUND');
    const cancel = await f.call({ method: 'POST', url: `/v1/executions/${done[1]}/cancel` });
    expect(cancel.statusCode).toBe(404);
    expect(envelope(cancel).code).toBe('EXECUTION_NOT_FOUND');
    const page = (offset: number) => f.call({ url: `/v1/executions?limit=2&offset=${offset}` });
    expect((await page(0)).json()).toMatchObject({
      total: 1,
      limit: 2,
      offset: 0,
      executions: [{ id: running }],
    });
    expect((await page(2)).json()).toMatchObject({ total: 1, executions: [] });
    expect((await f.call({ url: '/v1/metrics' })).json()).toEqual(metrics);
    expect(metrics.executions).toMatchObject({ total: 6, completed: 5, running: 1 });
  });
});
