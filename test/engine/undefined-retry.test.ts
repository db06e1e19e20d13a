/**
 * `retry: undefined` is a step without retries, as every other optional key left `undefined` is
 * left out (the type says `retry?: boolean | RetryOptions | undefined`): `{ name, retry: opts.retry }`
 * was refused with "must be true, false or an object of retry options, got undefined".
 */
import { describe, expect, it } from 'vitest';
import type { StepDefinition } from '../../src/index.js';
import { runToEnd, withOrchestrator } from '../helpers/orchestrator.js';

describe('a step whose retry is undefined', () => {
  it('is defined without retries, as the same version as one without the key, and runs', async () => {
    const orch = await withOrchestrator({ store: 'memory' });
    let calls = 0;
    orch.workflowEngine.registerAction('work', () => {
      calls++;
      throw new Error('no luck');
    });
    const configured: { retry?: boolean | undefined } = {};
    const steps: StepDefinition[] = [
      { name: 'a', action: 'work', retry: configured.retry },
      { name: 'p', parallel: [{ name: 'b', action: 'noop', retry: configured.retry }] },
    ];
    const def = await orch.workflowEngine.defineWorkflow('wf', steps);
    expect(def.version).toBe(1);
    expect(def.steps).toEqual([
      { name: 'a', action: 'work' },
      { name: 'p', parallel: [{ name: 'b', action: 'noop' }] },
    ]);
    const again = await orch.workflowEngine.defineWorkflow('wf', [
      { name: 'a', action: 'work' },
      { name: 'p', parallel: [{ name: 'b', action: 'noop' }] },
    ]);
    expect(again.version).toBe(1);

    const status = await runToEnd(orch, 'wf');
    expect(status.status).toBe('failed');
    expect(calls).toBe(1);
  });
});
