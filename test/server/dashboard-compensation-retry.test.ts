/**
 * The execution page drew a compensation waiting for its retry as failed: a red bar from its first
 * start to now, titled with the failed attempt, as a compensation that gave up is drawn. It is
 * drawn as a waiting step is: its row and badge say it waits and its bar is a wait (hatched); the
 * retry wait up to the next attempt's time is test/server/dashboard-units.test.ts's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

describe('a compensation waiting for its retry on the execution page', () => {
  it('is drawn waiting, not failed', async () => {
    const clock = new FakeClock();
    const f = await setup({
      orchestrator: {
        clock,
        compensations: {
          release: () => {
            throw new Error('not yet');
          },
        },
      },
      app: { plugins: [createDashboard()] },
    });
    await f.orch.workflowEngine.defineWorkflow('wf', [
      { name: 'reserve', compensation: 'release' },
      { name: 'fail' },
    ]);
    const id = await f.orch.workflowEngine.executeWorkflow('wf');
    await clock.advance(100);
    expect(
      (await f.orch.workflowEngine.getExecutionStatus(id))?.steps[0]?.compensation?.nextAttemptAt,
    ).toBeDefined();

    const page = await f.app.inject({
      url: `/executions/${id}`,
      headers: { cookie: await signedInCookie(f) },
    });
    expect(page.statusCode).toBe(200);
    const row = /<div class="tl-row tl-row-compensation ([^"]*)" data-step="reserve">[\s\S]*?<\/div>/.exec(
      page.body,
    );
    expect(row?.[1]).toBe('tl-status-compensation-waiting');
    expect(row?.[0]).not.toContain('tl-error');
    expect(row?.[0]).toContain('class="tl-bar tl-compensation tl-waiting"');
    expect(page.body).toContain('<span class="badge badge-compensation-waiting">compensation-waiting</span>');
    expect(page.body).not.toContain('badge-compensation-failed');
  });
});
