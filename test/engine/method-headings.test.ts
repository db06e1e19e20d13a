/**
 * The engine's and the hub's argument errors name the method refused, as the other public methods
 * do ('Invalid addWorker arguments: id: …'). Some were headed by a noun that named neither the
 * method nor what kind of argument: 'Invalid wait', 'Invalid listing', 'Invalid purge',
 * 'Invalid poll', 'Invalid output', 'Invalid execution id', and the event methods' 'Invalid event'
 * and 'Invalid event listener' (which of on, once, off?).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/orchestrator.js';
import { RemoteWorkerHub } from '../../src/remote/hub.js';
import { messageOf } from '../helpers/thrown.js';
import { heldTask } from '../remote/helpers.js';

let orch: Orchestrator | undefined;
afterEach(async () => {
  await orch?.close();
  orch = undefined;
});

async function engine() {
  orch = await createOrchestrator({ store: 'memory', actions: { a: () => 1 } });
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
  return orch.workflowEngine;
}

describe('headings of the engine methods', () => {
  it('names waitForCompletion and its options', async () => {
    const e = await engine();
    const id = await e.executeWorkflow('w');
    await expect(e.waitForCompletion(id, { timeout: -1 })).rejects.toThrow(
      /^Invalid waitForCompletion options: timeout: expected a non-negative number of seconds, got -1$/,
    );
    await expect(e.waitForCompletion(id, 5 as never)).rejects.toThrow(
      /^Invalid waitForCompletion options: options: expected an object such as \{ timeout \}, got 5$/,
    );
    await expect(e.waitForCompletion(5 as never)).rejects.toThrow(
      /^Invalid waitForCompletion arguments: executionId: expected an execution id string, got a number$/,
    );
  });

  it('names the method of an execution id that is no string', async () => {
    const e = await engine();
    await expect(e.getExecutionStatus(Promise.resolve('x') as never)).rejects.toThrow(
      /^Invalid getExecutionStatus arguments: executionId: /,
    );
    await expect(e.cancelWorkflow(null as never)).rejects.toThrow(
      /^Invalid cancelWorkflow arguments: executionId: /,
    );
  });

  it('names listExecutions and countExecutions', async () => {
    const e = await engine();
    await expect(e.listExecutions({ limit: 0 })).rejects.toThrow(
      /^Invalid listExecutions options: limit: expected an integer from 1 to \d+, got 0$/,
    );
    await expect(e.listExecutions({ offset: -1 })).rejects.toThrow(
      /^Invalid listExecutions options: offset: /,
    );
    await expect(e.listExecutions({ before: 'nope' })).rejects.toThrow(
      /^Invalid listExecutions options: before: /,
    );
    await expect(e.listExecutions({ status: 'done' as never })).rejects.toThrow(
      /^Invalid listExecutions options: status: expected one of .*, got "done"$/,
    );
    await expect(e.listExecutions(5 as never)).rejects.toThrow(/^Invalid listExecutions options: /);
    await expect(e.countExecutions({ workflowId: '' })).rejects.toThrow(
      /^Invalid countExecutions filter: workflowId: expected a non-empty string, got ""$/,
    );
  });

  it('names purgeExecutions and its options', async () => {
    const e = await engine();
    await expect(e.purgeExecutions({ before: 'yesterday' as never })).rejects.toThrow(
      /^Invalid purgeExecutions options: before: expected a valid Date, got "yesterday"$/,
    );
    // The Date given is named as one, not as "an object".
    await expect(e.purgeExecutions({ before: new Date(Number.NaN) })).rejects.toThrow(
      /^Invalid purgeExecutions options: before: expected a valid Date, got an invalid Date$/,
    );
    await expect(e.purgeExecutions({ before: new Date(), limit: 0 })).rejects.toThrow(
      /^Invalid purgeExecutions options: limit: /,
    );
  });
});

describe('headings of the event methods', () => {
  it('names on, once and off', async () => {
    orch = await createOrchestrator({ store: 'memory' });
    const o = orch;
    expect(messageOf(() => o.on('nope' as never, () => {}))).toMatch(
      /^Invalid on arguments: event: Unknown event 'nope'; expected one of /,
    );
    expect(messageOf(() => o.once('alert', 5 as never))).toBe(
      "Invalid once arguments: listener: Expected the listener of 'alert' to be a function, got 5",
    );
    expect(messageOf(() => o.off(5 as never, () => {}))).toMatch(
      /^Invalid off arguments: event: Expected an event name, got 5; one of 'execution\.created', /,
    );
  });
});

describe('headings of the hub methods', () => {
  it('names poll and complete', async () => {
    const hub = new RemoteWorkerHub();
    try {
      hub.actions(['a']);
      const { workerId } = hub.register({ actions: ['a'] });
      await expect(hub.poll(workerId, { actions: ['b'] })).rejects.toThrow(
        /^Invalid poll arguments: actions: not registered by this worker: b$/,
      );
      await expect(hub.poll(workerId, { actions: [] as never })).rejects.toThrow(
        /^Invalid poll arguments: actions: /,
      );
    } finally {
      hub.close();
    }
    // The output is checked once the task is known to be the worker's (an unknown one is 409).
    const held = await heldTask();
    expect(messageOf(() => held.hub.complete(held.workerId, held.task.taskId, { n: Number.NaN }))).toMatch(
      /^Invalid complete arguments: output\.n: /,
    );
  });
});
