/**
 * `orchestrator run`'s progress line counted an attempt that follows an interrupted one (its
 * process stopped while it ran: a crash, a close, a lost lease) as a retry: "attempt 2 (retry 1)"
 * for a step that never failed. Interruptions use no retry budget (README, "A step that takes its
 * process down"), and the status's note says "1 interrupted", not "1 retry": so does the progress
 * line now, from `step.started`'s `interruptions`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Output } from '../../../src/cli/output.js';
import { ProgressPrinter } from '../../../src/cli/progress.js';
import type { OrchestratorEvents } from '../../../src/events.js';
import { FakeClock, type StepContext } from '../../../src/index.js';
import { finishWithClock, tempDir, untilAborted, withOrchestrator } from '../../helpers/orchestrator.js';

function printer() {
  let text = '';
  const out = new Output({ json: false, stdout: { write: (t: string) => (text += t) }, colors: false });
  const progress = new ProgressPrinter(out, [{ name: 'work' }]);
  const lines = () =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^\s*\+\d+\.\d+s {2}/, ''));
  return { progress, lines };
}

describe('progress of a step run again after its process stopped', () => {
  it('shows the attempt after an interruption as no retry, and a retry after one as the retry it is', async () => {
    const clock = new FakeClock();
    const file = join(tempDir(), 'orchestrator.sqlite');
    // Attempt 1 fails (a retry follows), attempt 2 hangs until its process closes; on the next
    // start, attempt 3 completes: retry 1 run again, after 1 interruption.
    let calls = 0;
    let hang = true;
    const work = (_input: unknown, ctx: StepContext) => {
      calls++;
      if (calls === 1) throw new Error('flaky');
      return hang ? untilAborted(ctx.signal) : 'done';
    };
    const options = { store: `sqlite:${file}`, clock, actions: { work } };
    const first = await withOrchestrator(options);
    await first.workflowEngine.defineWorkflow('w', [{ name: 'work', retry: { maxAttempts: 1 } }]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await clock.advance(1500);
    expect(calls).toBe(2);
    await first.close();

    hang = false;
    const { progress, lines } = printer();
    progress.follow(id);
    const started: OrchestratorEvents['step.started'][] = [];
    const second = await withOrchestrator({
      ...options,
      on: {
        'step.started': (payload) => {
          started.push(payload);
          progress.receive({ event: 'step.started', payload });
        },
      },
    });
    const status = await finishWithClock(second, clock, id);
    expect(status.status).toBe('completed');
    expect(status.steps[0]?.history?.map((a) => a.error?.code)).toEqual([
      'STEP_FAILED',
      'INTERRUPTED',
      undefined,
    ]);
    expect(started).toEqual([
      { executionId: id, workflowId: 'w', step: 'work', parent: undefined, attempt: 3, interruptions: 1 },
    ]);
    expect(lines()).toEqual(['work       started      attempt 3 (retry 1; 1 interrupted)']);
  });

  it('shows an attempt after an interruption only, with no retry before it, without "retry"', () => {
    const { progress, lines } = printer();
    progress.follow('e1');
    const ref = { executionId: 'e1', workflowId: 'w', step: 'work' };
    progress.receive({ event: 'step.started', payload: { ...ref, attempt: 2, interruptions: 1 } });
    progress.receive({ event: 'step.started', payload: { ...ref, attempt: 4, interruptions: 1 } });
    progress.receive({ event: 'step.started', payload: { ...ref, attempt: 2 } });
    expect(lines()).toEqual([
      'work       started      attempt 2 (1 interrupted)',
      'work       started      attempt 4 (retry 2; 1 interrupted)',
      'work       started      attempt 2 (retry 1)',
    ]);
  });
});
