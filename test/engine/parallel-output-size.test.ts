/**
 * A parallel step's output holds its branches' outputs together: over MAX_OUTPUT_TEXT characters
 * of JSON text it fails the step with INVALID_OUTPUT, as an action step's output does, instead of
 * a write the durable stores refuse every time (a JSON text over what a string or a row holds),
 * which left the execution running for good.
 */
import { describe, expect, it } from 'vitest';
import { MAX_OUTPUT_TEXT } from '../../src/engine/action-step.js';
import { STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

const MIB = 1024 * 1024;

describe.each(STORE_KINDS)('parallel step output size (%s store)', (kind) => {
  it('fails a parallel step whose branches together return more than the limit, and compensates', async () => {
    const part = 'x'.repeat(MAX_OUTPUT_TEXT / 2 + MIB); // each branch's output is under the limit
    let calls = 0;
    const undone: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        reserve: () => 'r-1',
        big: () => {
          calls++;
          return part;
        },
      },
      compensations: { release: (output) => void undone.push(String(output)) },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      {
        name: 'par',
        parallel: [
          { name: 'left', action: 'big' },
          { name: 'right', action: 'big' },
        ],
      },
      { name: 'after', action: 'noop' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 30 });
    expect(status.status).toBe('failed');
    expect(status.error).toEqual({
      code: 'INVALID_OUTPUT',
      message: `Parallel step 'par': its branches' outputs together are too large to store: about 66 MiB of JSON text, over the limit of 64 MiB`,
      step: 'par',
    });
    expect(calls).toBe(2);
    expect(status.steps.map((s) => [s.name, s.status])).toEqual([
      ['reserve', 'completed'],
      ['par', 'failed'],
      ['after', 'skipped'],
    ]);
    expect(undone).toEqual(['r-1']);
  });
});
