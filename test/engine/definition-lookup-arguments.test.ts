/**
 * The definition lookups check their arguments as the execution lookups do: getWorkflow('wf',
 * '2') (a version read from a form or a URL) answered null as if version 2 did not exist, as did
 * versions NaN, 1.5 and -1, and listWorkflowVersions(5) / getAction(5) answered [] / undefined;
 * each is now a ValidationError naming the argument.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, ValidationError } from '../../src/index.js';

let orch: Orchestrator | undefined;
afterEach(async () => {
  await orch?.close();
  orch = undefined;
});

async function open(): Promise<Orchestrator> {
  orch = await createOrchestrator({ store: 'memory', actions: { a: () => 1 } });
  await orch.workflowEngine.defineWorkflow('wf', [{ name: 'a' }]);
  await orch.workflowEngine.defineWorkflow('wf', [{ name: 'a' }, { name: 'b', action: 'a' }]);
  return orch;
}

describe('definition lookup arguments', () => {
  it.each(['2', Number.NaN, 1.5, -1, 0, null])(
    'getWorkflow refuses version %j naming it',
    async (version) => {
      const { workflowEngine } = await open();
      await expect(workflowEngine.getWorkflow('wf', version as never)).rejects.toThrow(ValidationError);
      await expect(workflowEngine.getWorkflow('wf', version as never)).rejects.toThrow(/`version`/);
    },
  );

  it.each([5, '', null])('getWorkflow and listWorkflowVersions refuse id %j naming it', async (id) => {
    const { workflowEngine } = await open();
    await expect(workflowEngine.getWorkflow(id as never)).rejects.toThrow(/`id`/);
    expect(() => workflowEngine.listWorkflowVersions(id as never)).toThrow(/`id`/);
  });

  it.each([5, '', null])('getAction refuses name %j naming it', async (name) => {
    const { workflowEngine } = await open();
    expect(() => workflowEngine.getAction(name as never)).toThrow(/`name`/);
  });

  it('still answers for good arguments, and null / [] / undefined for unknown ones', async () => {
    const { workflowEngine } = await open();
    expect((await workflowEngine.getWorkflow('wf', 2))?.version).toBe(2);
    expect((await workflowEngine.getWorkflow('wf'))?.version).toBe(2);
    expect(await workflowEngine.getWorkflow('wf', 3)).toBeNull();
    expect(await workflowEngine.getWorkflow('nope')).toBeNull();
    expect(workflowEngine.listWorkflowVersions('wf').map((d) => d.version)).toEqual([1, 2]);
    expect(workflowEngine.listWorkflowVersions('nope')).toEqual([]);
    expect(typeof workflowEngine.getAction('a')).toBe('function');
    expect(workflowEngine.getAction('nope')).toBeUndefined();
  });
});
