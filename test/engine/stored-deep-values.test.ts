/**
 * A stored value deeper than the engine lets a new one be (64 levels) — a parallel step's output
 * an older release stored one level deeper, or what a custom store hands back — is read all the
 * same: the execution's status and every listing it is in show it, where the engine's copy threw
 * an internal symbol and failed each of them (a dashboard list, `GET /v1/executions`). A value not
 * even a structured clone takes (a function) is a TypeError naming where it is.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, MemoryStore, type Orchestrator, type Store } from '../../src/index.js';
import { copyJson } from '../../src/json-value.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution, makeStep } from '../store/records.js';
import { tempDir } from '../store/sqlite-fixture.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** `{ a: { a: ... 1 } }`, `levels` objects deep. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

const stores: [string, () => Store][] = [
  ['memory', () => new MemoryStore()],
  [
    'SQLite',
    () => {
      const { dir, remove } = tempDir();
      cleanups.push(remove);
      return new SqliteStore(join(dir, 'store.sqlite'));
    },
  ],
];

describe('a stored value nested deeper than a new one may be', () => {
  it.each(stores)('is read back on the %s store: status and listings show it', async (_, make) => {
    const store = make();
    const orch: Orchestrator = await createOrchestrator({ store, actions: { work: () => ({}) } });
    cleanups.push(() => orch.close());
    await orch.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'work' }]);
    const deep = nested(70);
    await store.createExecution(
      makeExecution({
        id: 'ex_deep',
        workflowId: 'w',
        status: 'completed',
        startedAt: 1,
        completedAt: 5,
        input: deep,
      }),
      [makeStep('ex_deep', 's', { status: 'completed', output: deep })],
    );
    const status = await orch.workflowEngine.getExecutionStatus('ex_deep');
    expect(status?.outputData).toEqual({ s: deep });
    expect(status?.inputData).toEqual(deep);
    expect(status?.steps[0]?.output).toEqual(deep);
    const listed = await orch.workflowEngine.listExecutions({ workflowId: 'w' });
    expect(listed.map((x) => x.id)).toEqual(['ex_deep']);
    expect(listed[0]?.outputData).toEqual({ s: deep });
    // A copy: changing what was read leaves the next read alone.
    (status?.inputData as { a: unknown }).a = 'changed';
    expect((await orch.workflowEngine.getExecutionStatus('ex_deep'))?.inputData).toEqual(deep);
  });

  it('is a TypeError naming where it is when not even a clone takes it', () => {
    const value = { ok: nested(3), f: () => 1 };
    expect(() => copyJson(value)).toThrow(
      new TypeError('A stored value cannot be read: value.f: expected a JSON value, got function'),
    );
  });
});
