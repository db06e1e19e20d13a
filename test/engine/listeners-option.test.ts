/**
 * The `on` option of createOrchestrator: listeners added before recovery see the events of the
 * executions resumed at start (which `orch.on` after it resolves can miss), and a bad event name or
 * listener is a ValidationError naming `on.<name>`.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type OrchestratorOptions, ValidationError } from '../../src/index.js';
import { gate, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe('createOrchestrator({ on })', () => {
  it('delivers the events of an execution resumed inside createOrchestrator', async () => {
    const store = tempSqliteUrl();
    const inStep = gate();
    const first = await withOrchestrator({
      store,
      actions: {
        slow: async (_i, ctx) => {
          inStep.open();
          await new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
          );
        },
      },
    });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'slow' }]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await inStep.promise;
    await first.close();

    const seen: string[] = [];
    const second = await withOrchestrator({
      store,
      // Finishes synchronously: the resumed execution may end before createOrchestrator resolves.
      actions: { slow: () => ({ ok: true }) },
      on: {
        'execution.started': (e) => seen.push(`started ${e.executionId} resumed=${e.resumed}`),
        'step.completed': (e) => seen.push(`step ${e.step}`),
        'execution.finished': (e) => seen.push(`finished ${e.status}`),
      },
    });
    await second.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(seen).toEqual([`started ${id} resumed=true`, 'step slow', 'finished completed']);
  });

  it.each([
    [
      { 'execution.finishd': () => undefined },
      'on.execution.finishd',
      "Unknown event 'execution.finishd' (did you mean 'execution.finished'?); expected one of",
    ],
    [{ alert: 'log' }, 'on.alert', "Expected the listener of 'alert' to be a function"],
    [[() => undefined], 'on', 'Expected `on` to be an object'],
  ])('rejects on = %j naming %s', async (on, path, message) => {
    const error = await createOrchestrator({ store: 'memory', on } as unknown as OrchestratorOptions).then(
      async (orch) => {
        await orch.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    const issue = (error as ValidationError).issues.find((i) => i.path === path);
    expect(issue?.message).toContain(message);
  });
});
