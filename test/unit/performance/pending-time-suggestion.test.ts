/**
 * Time an execution waits for a free slot (`maxConcurrentWorkflows`) before it starts was
 * invisible: execution time is counted from the start, so four executions run one at a time took
 * 4× as long from submission as the optimizer said, and nothing hinted at raising the limit. The
 * engine now records that wait with each execution, and a wait of a fifth of the time from
 * submission to the end or more gets a suggestion.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, PerformanceOptimizer, ValidationError } from '../../../src/index.js';
import { finishWithClock, withOrchestrator } from '../../helpers/orchestrator.js';

const advice = (opt: PerformanceOptimizer, id: string) =>
  opt.suggestOptimization(id, opt.getAvgExecutionTime(id)).filter((s) => s.startsWith('Executions wait'));

describe('suggestions: waiting for a free slot', () => {
  it('names the average wait and its share of the time from submission to the end', () => {
    const opt = new PerformanceOptimizer({ slowThreshold: 100 });
    opt.recordExecution('w', 1_000, undefined, 0);
    opt.recordExecution('w', 1_000, undefined, 2_000);
    opt.recordExecution('w', 1_000, undefined, 4_000);
    // Waits of 2 s on average against runs of 1 s: 2 / 3 of the time.
    expect(advice(opt, 'w')).toEqual([
      'Executions wait 2 s on average for a free slot before they start (67% of their time from ' +
        'submission to the end): raise maxConcurrentWorkflows, or add nodes (from 3 executions only)',
    ]);
  });

  it("takes the share against the recorded executions' time, whatever average the caller passes", () => {
    const opt = new PerformanceOptimizer({ slowThreshold: 100 });
    for (const wait of [0, 2_000, 4_000]) opt.recordExecution('w', 1_000, undefined, wait);
    const lines = opt.suggestOptimization('w', 50_000).filter((s) => s.startsWith('Executions wait'));
    expect(lines).toEqual([expect.stringContaining('(67% of their time from submission to the end)')]);
  });

  it('says nothing under a fifth of the time, without waits recorded, or for a bad wait', () => {
    const opt = new PerformanceOptimizer({ slowThreshold: 100 });
    opt.recordExecution('short', 1_000, undefined, 200);
    expect(advice(opt, 'short')).toEqual([]);
    opt.recordExecution('none', 1_000);
    expect(advice(opt, 'none')).toEqual([]);
    opt.recordExecution('odd', 1_000, undefined, Number.NaN);
    opt.recordExecution('odd', 1_000, undefined, -5_000);
    expect(advice(opt, 'odd')).toEqual([]);
    expect(() => opt.recordExecution('w', 1, undefined, '5' as unknown as number)).toThrow(ValidationError);
    expect(() => opt.recordExecution('w', 1, undefined, '5' as unknown as number)).toThrow(/pendingMs/);
  });

  it('forgets the waits of an older version with its other figures', () => {
    const opt = new PerformanceOptimizer({ slowThreshold: 100 });
    opt.recordExecution('w', 1_000, 1, 9_000);
    opt.recordExecution('w', 1_000, 2, 0);
    expect(advice(opt, 'w')).toEqual([]);
  });

  it('is recorded by the engine: executions queued behind maxConcurrentWorkflows', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      maxConcurrentWorkflows: 1,
      slowThreshold: 100,
      actions: { work: () => clock.sleep(1_000).then(() => 'done') },
    });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'work' }]);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await engine.executeWorkflow('w'));
    for (const id of ids) await finishWithClock(orch, clock, id);
    const opt = orch.performanceOptimizer;
    expect(opt.getStats('w')).toMatchObject({ count: 4, avg: 1_000 });
    // They waited 0, 1, 2 and 3 s for the one slot: 1.5 s on average, 60% of 2.5 s.
    expect(advice(opt, 'w')).toEqual([
      'Executions wait 1.5 s on average for a free slot before they start (60% of their time from ' +
        'submission to the end): raise maxConcurrentWorkflows, or add nodes (from 4 executions only)',
    ]);
  });
});
