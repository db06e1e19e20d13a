/**
 * No handler starts once `close()` was called on a durable store — also when the call comes from a
 * `step.started` listener, synchronously, just before the attempt's handler would run: the attempt
 * is left as a shutdown leaves a running one, and the next start runs the step once.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { tempDir } from '../helpers/orchestrator.js';

const STEPS = [{ name: 'first' }, { name: 'second' }];

describe('close() called from a step.started listener (SQLite)', () => {
  it.each([
    ['a top-level step', STEPS, 'second'],
    [
      'a branch of a parallel step',
      [{ name: 'p', parallel: [{ name: 'first' }, { name: 'second' }] }],
      'second',
    ],
  ])('does not start %s whose start it announced', async (_what, steps, closeAt) => {
    const file = join(tempDir(), 'store.sqlite');
    const runs: string[] = [];
    const actions = {
      first: () => {
        runs.push('first');
        return 1;
      },
      second: () => {
        runs.push('second');
        return 2;
      },
    };
    const orch = await createOrchestrator({ store: `sqlite:${file}`, actions });
    await orch.workflowEngine.defineWorkflow('w', steps);
    let closing: Promise<void> | null = null;
    orch.on('step.started', (e) => {
      if (e.step === closeAt && closing === null) closing = orch.close({ grace: 5 });
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    while (closing === null) await new Promise((resolve) => setTimeout(resolve, 5));
    await closing;
    expect(runs).not.toContain('second');

    const next = await createOrchestrator({ store: `sqlite:${file}`, actions });
    try {
      const status = await next.workflowEngine.waitForCompletion(id, { timeout: 10 });
      expect(status.status).toBe('completed');
      expect(runs.filter((r) => r === 'second')).toEqual(['second']);
      expect(runs.filter((r) => r === 'first')).toEqual(['first']);
    } finally {
      await next.close();
    }
  });
});
