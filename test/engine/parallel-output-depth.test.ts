/**
 * A parallel step's output holds each branch's output one level deeper: a branch output nested
 * as deep as a stored value may be (64 levels) makes the step's output too deep. It fails the step
 * with INVALID_OUTPUT, as an action step's too-deep output does; it was stored, and every read of
 * the execution (its status, waitForCompletion, a listing it was in) then threw an internal symbol.
 */
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

/** A value nested `levels` levels deep: arrays around a number (`[[1]]` is 2). */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe.each(STORE_KINDS)('parallel step output depth (%s store)', (kind) => {
  it('fails a parallel step whose output would nest deeper than 64 levels, and compensates', async () => {
    const undone: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { reserve: () => 'r-1', deep: () => nested(64), shallow: () => nested(63) },
      compensations: { release: (output) => void undone.push(String(output)) },
    });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'par', parallel: [{ name: 'deep' }] },
      { name: 'after', action: 'noop' },
    ]);
    await engine.defineWorkflow('ok', [{ name: 'par', parallel: [{ name: 'shallow' }] }]);
    const id = await engine.executeWorkflow('w');
    const status = await engine.waitForCompletion(id, { timeout: 30 });
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'INVALID_OUTPUT', step: 'par' });
    expect(status.error?.message).toMatch(
      /^Parallel step 'par': its branches' outputs together cannot be stored: output\.deep\[0\].*: nested deeper than 64 levels$/,
    );
    expect(status.steps.map((s) => [s.name, s.status])).toEqual([
      ['reserve', 'completed'],
      ['par', 'failed'],
      ['after', 'skipped'],
    ]);
    expect(undone).toEqual(['r-1']);
    // The execution stays readable.
    expect((await engine.getExecutionStatus(id))?.status).toBe('failed');
    expect((await engine.listExecutions()).map((s) => s.id)).toContain(id);
    // One level less fits: the step's output is 64 levels deep.
    const fits = await engine.waitForCompletion(await engine.executeWorkflow('ok'), { timeout: 30 });
    expect(fits.status).toBe('completed');
    expect(fits.outputData).toEqual({ par: { shallow: nested(63) } });
  });
});
