/**
 * The status `waitForCompletion` returns has its keys in one order, whichever way it was built
 * (`status.ts` writes the usual shapes — a completed step, a closed attempt, a finished execution
 * without error or key — as one literal each, and adds keys one by one otherwise): the same JSON
 * text for the same facts, from every store.
 */
import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '../../src/errors.js';
import { runToEnd, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

const EXECUTION_KEYS = [
  'id',
  'workflowId',
  'workflowVersion',
  'status',
  'startedAt',
  'stepsCompleted',
  'totalSteps',
  'inputData',
  'outputData',
  'steps',
  'compensatedSteps',
  'completedAt',
];

describe.each(STORE_KINDS)('status key order (%s store)', (kind) => {
  it('a completed execution: execution, step and attempt keys in their order', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { a: async () => ({ n: 1 }), b: () => 'two' },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }]);
    const status = await runToEnd(orch, 'w', { x: 1 });
    expect(Object.keys(status)).toEqual([...EXECUTION_KEYS, 'workerId']);
    for (const step of status.steps) {
      expect(Object.keys(step)).toEqual([
        'name',
        'status',
        'attempts',
        'startedAt',
        'completedAt',
        'durationMs',
        'output',
        'history',
      ]);
      expect(Object.keys(step.history![0]!)).toEqual(['attempt', 'startedAt', 'completedAt', 'durationMs']);
    }
  });

  it('a failed execution with a key: error and key where the general path puts them', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: () => {
          throw new NonRetryableError('no', { code: 'NOPE' });
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b', action: 'noop' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {}, { idempotencyKey: 'k1' });
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('failed');
    expect(Object.keys(status)).toEqual([...EXECUTION_KEYS, 'error', 'workerId', 'idempotencyKey']);
    const [failed, skipped] = status.steps;
    expect(Object.keys(failed!)).toEqual([
      'name',
      'status',
      'attempts',
      'startedAt',
      'completedAt',
      'durationMs',
      'error',
      'history',
    ]);
    expect(Object.keys(failed!.history![0]!)).toEqual([
      'attempt',
      'startedAt',
      'completedAt',
      'durationMs',
      'error',
    ]);
    expect(Object.keys(skipped!)).toEqual(['name', 'status', 'attempts']);
  });
});
