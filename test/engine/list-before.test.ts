/**
 * Keyset paging of `listExecutions` (`before`: the id of the last execution of the previous
 * page): every execution once while others are created between pages, cursors whose execution was
 * purged since, executions this node still holds in memory, and cursors that are not ours.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ExecutionFilter,
  FakeClock,
  MemoryStore,
  OrchestratorError,
  ValidationError,
} from '../../src/index.js';
import { deferred } from '../helpers/deferred.js';
import { STORE_KINDS, type StoreKind, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

const schemas: string[] = [];
afterEach(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

/** A fresh store of `kind`: the engine's kinds, and PostgreSQL (a schema of its own). */
async function urlOf(kind: StoreKind | 'postgres'): Promise<string> {
  if (kind !== 'postgres') return storeUrl(kind);
  await assertServerReachable();
  const schema = freshSchema();
  schemas.push(schema);
  return `${PG_URL}?schema=${schema}`;
}

describe.each([...STORE_KINDS, 'postgres' as const])('listExecutions with before (%s store)', (kind) => {
  async function start() {
    const gate = deferred<number>();
    const orch = await withOrchestrator({
      store: await urlOf(kind),
      actions: { done: () => 1, hold: () => gate.promise },
    });
    await orch.workflowEngine.defineWorkflow('quick', [{ name: 'done' }]);
    await orch.workflowEngine.defineWorkflow('slow', [{ name: 'hold' }]);
    return { engine: orch.workflowEngine, release: () => gate.resolve(1) };
  }

  it('pages through every execution once, newest first, while others are created between pages', async () => {
    const { engine, release } = await start();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await engine.executeWorkflow('quick'));
    for (const id of made) await engine.waitForCompletion(id, { timeout: 5 });
    // Held in this node's memory (merged into listings from there).
    for (let i = 0; i < 4; i++) made.push(await engine.executeWorkflow('slow'));
    const seen: string[] = [];
    let before: string | undefined;
    for (let round = 0; round < 20; round++) {
      const page = await engine.listExecutions({ limit: 2, ...(before === undefined ? {} : { before }) });
      if (page.length === 0) break;
      seen.push(...page.map((s) => s.id));
      before = page[page.length - 1]!.id;
      await engine.executeWorkflow('quick');
      await engine.executeWorkflow('slow');
    }
    expect(seen).toEqual([...made].reverse());
    release();
  });

  it('pages on from an execution purged since, and with the filters', async () => {
    const { engine, release } = await start();
    const slow: string[] = [];
    for (let i = 0; i < 3; i++) slow.push(await engine.executeWorkflow('slow'));
    const quick: string[] = [];
    for (let i = 0; i < 3; i++) quick.push(await engine.executeWorkflow('quick'));
    for (const id of quick) await engine.waitForCompletion(id, { timeout: 5 });
    const first = await engine.listExecutions({ limit: 2 });
    expect(first.map((s) => s.id)).toEqual([quick[2], quick[1]]);
    expect(await engine.purgeExecutions({ before: new Date(Date.now() + 60_000) })).toBe(3);
    expect((await engine.listExecutions({ before: quick[1]! })).map((s) => s.id)).toEqual(
      [...slow].reverse(),
    );
    expect(
      (await engine.listExecutions({ before: slow[2]!, workflowId: 'slow', status: 'running' })).map(
        (s) => s.id,
      ),
    ).toEqual([slow[1], slow[0]]);
    expect(await engine.listExecutions({ before: slow[2]!, workflowId: 'quick' })).toEqual([]);
    expect(await engine.listExecutions({ before: slow[0]! })).toEqual([]);
    // An offset of 0 is no offset.
    expect((await engine.listExecutions({ before: slow[2]!, offset: 0 })).map((s) => s.id)).toEqual([
      slow[1],
      slow[0],
    ]);
    release();
  });

  it('pages once through executions created at clock readings an id cannot hold (before 1970)', async () => {
    const clock = new FakeClock(-10_000);
    const orch = await withOrchestrator({ store: await urlOf(kind), clock, actions: { done: () => 1 } });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('quick', [{ name: 'done' }]);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      made.push(await engine.executeWorkflow('quick'));
      await clock.advance(1);
    }
    const seen: string[] = [];
    let before: string | undefined;
    for (let round = 0; round < 10; round++) {
      const page = await engine.listExecutions({ limit: 1, ...(before === undefined ? {} : { before }) });
      if (page.length === 0) break;
      seen.push(...page.map((s) => s.id));
      before = page[0]!.id;
    }
    expect(seen).toEqual([...made].reverse());
  });

  it('refuses a cursor that is not an execution id of this engine, and an offset with a cursor', async () => {
    const { engine } = await start();
    const id = await engine.executeWorkflow('quick');
    for (const before of [
      '',
      'nope',
      'exec_',
      `${id}x`,
      id.toUpperCase(),
      'exec_0000000000000000000000000z',
      42,
    ]) {
      const error = await engine.listExecutions({ before: before as string }).catch((e: unknown) => e);
      expect(error, String(before)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({
        path: 'before',
        message: expect.stringContaining('execution id'),
      });
    }
    const both = await engine.listExecutions({ before: id, offset: 1 }).catch((e: unknown) => e);
    expect(both).toBeInstanceOf(ValidationError);
    expect((both as ValidationError).issues[0]).toMatchObject({
      path: 'offset',
      message: expect.stringContaining('before'),
    });
  });
});

describe('listExecutions with before on a custom store that predates it', () => {
  it('rejects with UNSUPPORTED rather than hand back the newest page again', async () => {
    // A custom adapter written before cursors: it drops the filter's `before`.
    class OldStore extends MemoryStore {
      override listExecutions(filter: ExecutionFilter) {
        const { before: _ignored, ...rest } = filter;
        return super.listExecutions(rest);
      }
    }
    const orch = await withOrchestrator({ store: new OldStore(), actions: { done: () => 1 } });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('quick', [{ name: 'done' }]);
    for (let i = 0; i < 3; i++) await engine.waitForCompletion(await engine.executeWorkflow('quick'));
    const first = await engine.listExecutions({ limit: 2 });
    expect(first).toHaveLength(2);
    const error = await engine.listExecutions({ limit: 2, before: first[1]!.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrchestratorError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('before') });
  });
});
