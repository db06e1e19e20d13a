/**
 * A `close` that comes while a `delay`'s start is being written leaves the step as stored: its
 * attempt stored running with its timer, which the next start goes on with as the same attempt
 * (no new attempt; see delay-restart.test.ts). The closing process starts no step once `close`
 * was called, so it does not announce it; the process that goes on with the wait does, with that
 * attempt, before its `step.completed`. The attempt is announced exactly once: its
 * `step.completed` used to come with no start at all.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock, type OrchestratorOptions } from '../../src/index.js';
import { holdingStore } from '../helpers/holding-store.js';
import { finishWithClock, tempDir, withOrchestrator } from '../helpers/orchestrator.js';

describe.each([0, 5])('close({ grace: %s }) while a delay stores its start', (grace) => {
  it('announces the attempt once, in the process that goes on with it', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const events: string[] = [];
    const on: OrchestratorOptions['on'] = {
      'step.started': (e) => events.push(`started ${e.step} ${e.attempt}`),
      'step.completed': (e) => events.push(`completed ${e.step} ${e.attempt}`),
    };
    const { store, reached, release } = holdingStore(file, (u) =>
      (u.steps ?? []).some((s) => s.name === 'wait' && s.status === 'running'),
    );
    const first = await withOrchestrator({ store, clock, on });
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'wait', action: 'delay', input: "{'seconds': 10}" },
      { name: 'after', action: 'noop' },
    ]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await reached;
    const closing = first.close({ grace });
    release();
    await closing;

    const second = await withOrchestrator({ store: `sqlite:${file}`, clock, on });
    const status = await finishWithClock(second, clock, id);
    expect(status.status).toBe('completed');
    expect(status.steps[0]).toMatchObject({ status: 'completed', attempts: 1, durationMs: 10_000 });
    expect(events).toEqual(['started wait 1', 'completed wait 1', 'started after 1', 'completed after 1']);
  });
});
