/**
 * A workflow version defined by a newer release, with keys or expressions this release does not
 * know (a rolling upgrade: a new node defines it while old ones run). An old node used to drop the
 * unknown keys and run the rest as something else (an unknown step kind ran as an action named
 * after the step), and one whose expression did not compile failed createOrchestrator. Now the old
 * node starts, runs the versions it can read, refuses to start the one it cannot (naming it and
 * why), and leaves that version's executions to the nodes that can run them.
 */

import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import type { ActionHandler } from '../../src/index.js';
import { tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { storeDefinitionBody } from '../helpers/stored-definition.js';

const hang: ActionHandler = (_input, ctx) => untilAborted(ctx.signal);

describe('a version defined by a newer release', () => {
  it.each([
    ['an unknown step kind', [{ name: 'a', awaitSignal: 'approved' }], 'steps[0].awaitSignal'],
    ['an unknown retry option', [{ name: 'a', retry: { jitter: true } }], 'steps[0].retry.jitter'],
    [
      'an expression this release cannot compile',
      [{ name: 'a', input: 'newFunction(input)' }],
      'newFunction',
    ],
  ])(
    'with %s is not run as something else, and its executions are left to other nodes',
    async (_, steps, named) => {
      const store = tempSqliteUrl();
      const timing = { sweepInterval: 0.05, leaseSeconds: 0.5 };
      const first = await withOrchestrator({ store, ...timing, actions: { a: hang } });
      await first.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
      const v1 = await first.workflowEngine.executeWorkflow('w');
      await first.workflowEngine.defineWorkflow('w', [{ name: 'a', timeout: 60 }]);
      const v2 = await first.workflowEngine.executeWorkflow('w');
      await first.close();
      storeDefinitionBody(store, 'w', 2, steps);

      const old = await withOrchestrator({ store, ...timing, actions: { a: () => 'A' } });
      // The version it can read runs; the one it cannot is released, untouched, and left alone.
      expect((await old.workflowEngine.waitForCompletion(v1, { timeout: 5 })).status).toBe('completed');
      const left = (await old.store.getExecution(v2))?.execution;
      expect(left).toMatchObject({ owner: null, status: 'running', error: null });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await old.store.getExecution(v2))?.execution).toMatchObject({
        owner: null,
        epoch: left?.epoch,
      });
      expect((await old.workflowEngine.getExecutionStatus(v2))?.workflowVersion).toBe(2);

      // A new execution would get version 2: refused, naming the version and what is unknown.
      const refused = old.workflowEngine.executeWorkflow('w');
      await expect(refused).rejects.toBeInstanceOf(ConflictError);
      await expect(refused).rejects.toThrow(/Workflow 'w' version 2/);
      await expect(refused).rejects.toThrow(named);
      // The definition is shown as stored; redefining from this node makes version 3, which runs.
      expect((await old.workflowEngine.getWorkflow('w'))?.steps).toEqual(steps);
      const v3 = await old.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
      expect(v3.version).toBe(3);
      const id = await old.workflowEngine.executeWorkflow('w');
      expect((await old.workflowEngine.waitForCompletion(id, { timeout: 5 })).status).toBe('completed');
    },
  );
});
