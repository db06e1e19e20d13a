/**
 * A pending execution's duration is the time it has waited for a slot, not a run: the executions
 * list, the overview's latest executions and the execution page say it is queued; a running one's
 * does not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, setup, signedInCookie, start, until } from './helpers.js';

afterEach(closeAll);

/** The Duration cell of the row of execution `id` in a page's table. */
function durationCell(body: string, id: string): string {
  const row = new RegExp(`<tr[^>]*data-execution="${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(body)?.[1] ?? '';
  return /<td class="num">([^<]*)<\/td>/.exec(row)?.[1] ?? '';
}

describe('dashboard duration of a pending execution', () => {
  it('says it is queued, where a running one shows its time so far', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const f = await setup({
      orchestrator: { clock, maxConcurrentWorkflows: 1 },
      app: { plugins: [createDashboard({ now: () => clock.now() })] },
    });
    await define(f, 'slow', [{ name: 'b', action: 'block' }]);
    const running = await start(f, 'slow');
    await until(async () => (await f.orch.workflowEngine.getExecutionStatus(running))?.status === 'running');
    const pending = await start(f, 'slow');
    await clock.advance(2_500);
    expect((await f.orch.workflowEngine.getExecutionStatus(pending))?.status).toBe('pending');

    const cookie = await signedInCookie(f);
    const list = await f.app.inject({ url: '/executions', headers: { cookie } });
    expect(list.statusCode).toBe(200);
    expect(durationCell(list.body, pending)).toBe('2.50 s queued');
    expect(durationCell(list.body, running)).toBe('2.50 s');

    const page = await f.app.inject({ url: `/executions/${pending}`, headers: { cookie } });
    expect(page.body).toContain('<dt>Duration</dt><dd>2.50 s so far (queued)</dd>');
    const other = await f.app.inject({ url: `/executions/${running}`, headers: { cookie } });
    expect(other.body).toContain('<dt>Duration</dt><dd>2.50 s so far</dd>');

    const overview = await f.app.inject({ url: '/', headers: { cookie } });
    expect(overview.body).toMatch(/2\.50 s queued<\/td>/);
  });
});
