/**
 * `orchestrator workflows`: the workflows defined in the store — latest version, how many
 * versions, steps, when defined, executions unfinished and in all — as a table or `--json`; with
 * an id, that workflow's definition as JSON (the latest, or the version given). An id or version
 * the store does not have exits 1 naming what it has; a version that is no whole number exits 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore('orch-cli-workflows-');
const empty = tempStore('orch-cli-workflows-empty-');
afterAll(() => {
  store.remove();
  empty.remove();
});

beforeAll(async () => {
  const orch = await createOrchestrator({ store: store.url, actions: { work: () => ({ ok: true }) } });
  try {
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('order', [{ name: 'reserve', action: 'work' }]);
    await engine.defineWorkflow(
      'order',
      [
        { name: 'reserve', action: 'work' },
        { name: 'charge', action: 'work' },
      ],
      {
        description: 'takes an order',
      },
    );
    await engine.defineWorkflow('hello', [{ name: 'greet', action: 'work', timeout: 5 }]);
    for (let i = 0; i < 2; i++) await engine.waitForCompletion(await engine.executeWorkflow('order', {}));
  } finally {
    await orch.close();
  }
  const other = await createOrchestrator({ store: empty.url });
  await other.close();
});

describe('orchestrator workflows', () => {
  it('lists each workflow with its latest version, versions, steps and executions', async () => {
    const [human, machine] = await Promise.all([
      cli(['workflows', '--store', store.url]),
      cli(['workflows', '--store', store.url, '--json']),
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /^WORKFLOW\s+VERSION\s+VERSIONS\s+STEPS\s+DEFINED\s+UNFINISHED\s+EXECUTIONS$/m,
    );
    expect(human.stdout).toMatch(/^hello\s+v1\s+1\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+0\s+0$/m);
    expect(human.stdout).toMatch(/^order\s+v2\s+2\s+2\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+0\s+2$/m);
    expect(machine.code, machine.stderr).toBe(0);
    expect(parseJson(machine.stdout)).toEqual([
      {
        workflowId: 'hello',
        version: 1,
        versions: 1,
        steps: 1,
        definedAt: expect.any(String),
        unfinished: 0,
        executions: 0,
      },
      {
        workflowId: 'order',
        version: 2,
        versions: 2,
        steps: 2,
        definedAt: expect.any(String),
        unfinished: 0,
        executions: 2,
      },
    ]);
  });

  it('prints a definition as JSON, the latest or the version given', async () => {
    const [latest, first] = await Promise.all([
      cli(['workflows', 'order', '--store', store.url]),
      cli(['workflows', 'order', '1', '--store', store.url]),
    ]);
    expect(latest.code, latest.stderr).toBe(0);
    expect(parseJson(latest.stdout)).toEqual({
      id: 'order',
      version: 2,
      steps: [
        { name: 'reserve', action: 'work' },
        { name: 'charge', action: 'work' },
      ],
      options: { description: 'takes an order' },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(parseJson<{ version: number; steps: unknown[] }>(first.stdout)).toMatchObject({
      version: 1,
      steps: [{ name: 'reserve', action: 'work' }],
    });
  });

  it('says so for an empty store, an unknown workflow or version, and a version that is no number', async () => {
    const [none, typo, version, bad] = await Promise.all([
      cli(['workflows', '--store', empty.url]),
      cli(['workflows', 'ordr', '--store', store.url]),
      cli(['workflows', 'order', '3', '--store', store.url]),
      cli(['workflows', 'order', 'v2', '--store', store.url]),
    ]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe(`No workflow is defined in store ${empty.url}.\n`);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(
      'No workflow ordr is defined in this store (it knows hello, order). Did you mean order?',
    );
    expect(version.code).toBe(1);
    expect(version.stderr).toContain('Workflow order has no version 3 (it has 2 versions: 1, 2)');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "value 'v2' is invalid for argument 'version'. Expected an integer from 1 to 2147483647.",
    );
  });
});
