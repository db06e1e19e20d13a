/**
 * A step waiting for its retry when its execution ends (its workflow timeout) is stopped in its
 * backoff: it ends `cancelled` with the error `CANCELLED`, its failed attempt kept in its history.
 * The same when the timeout passed while no process ran the execution, and it ends on resume
 * before the step runs again: it showed `cancelled` with its last failure (`STEP_FAILED`) as the
 * step's error instead.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { finishWithClock, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe('a step in its retry backoff when its workflow times out', () => {
  async function run(downMs: number) {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const t0 = clock.now();
    const options = {
      store,
      clock,
      actions: {
        flaky: () => {
          throw new Error('down');
        },
      },
    };
    let orch = await withOrchestrator(options);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'flaky', retry: { initialDelay: 60 } }], {
      timeout: 10,
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(2000);
    if (downMs > 0) {
      await orch.close();
      await clock.advance(downMs);
      orch = await withOrchestrator(options);
    }
    const status = await finishWithClock(orch, clock, id);
    return { t0, status };
  }

  it('ends cancelled with CANCELLED, live and on resume after the timeout passed', async () => {
    for (const downMs of [0, 3_600_000]) {
      const { t0, status } = await run(downMs);
      expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT', step: 'flaky' });
      const step = status.steps[0];
      expect(step).toMatchObject({
        status: 'cancelled',
        attempts: 1,
        error: { code: 'CANCELLED', message: 'The step was stopped before it finished', step: 'flaky' },
      });
      // The failed attempt, and the retry it was waiting for, stay in the history.
      expect(step?.history).toEqual([
        {
          attempt: 1,
          startedAt: new Date(t0),
          completedAt: new Date(t0),
          durationMs: 0,
          error: { code: 'STEP_FAILED', message: 'down', step: 'flaky' },
          retryAt: new Date(t0 + 60_000),
        },
      ]);
    }
  });
});
