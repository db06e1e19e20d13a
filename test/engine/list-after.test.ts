/**
 * Keyset paging of `listExecutions` towards the newest (`after`: the id of the first execution of
 * a page): the pages `before` read, back up again, with executions created meanwhile at the top;
 * cursors whose execution was purged since; rows whose state this node has moved on from the
 * filtered one; cursors that are not ours; a custom store that ignores `after`.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExecutionFilter, MemoryStore, OrchestratorError, ValidationError } from '../../src/index.js';
import { deferred } from '../helpers/deferred.js';
import { holdingStore } from '../helpers/holding-store.js';
import {
  gate,
  STORE_KINDS,
  type StoreKind,
  storeUrl,
  tempDir,
  withOrchestrator,
} from '../helpers/orchestrator.js';
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

const idsOf = (page: { id: string }[]) => page.map((s) => s.id);

describe.each([...STORE_KINDS, 'postgres' as const])('listExecutions with after (%s store)', (kind) => {
  async function start() {
    const hold = deferred<number>();
    const orch = await withOrchestrator({
      store: await urlOf(kind),
      actions: { done: () => 1, hold: () => hold.promise },
    });
    await orch.workflowEngine.defineWorkflow('quick', [{ name: 'done' }]);
    await orch.workflowEngine.defineWorkflow('slow', [{ name: 'hold' }]);
    return { engine: orch.workflowEngine, release: () => hold.resolve(1) };
  }

  it('pages back up through the pages before read, then on to executions created meanwhile', async () => {
    const { engine, release } = await start();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await engine.executeWorkflow('quick'));
    for (const id of made) await engine.waitForCompletion(id, { timeout: 5 });
    // Held in this node's memory (merged into listings from there).
    for (let i = 0; i < 4; i++) made.push(await engine.executeWorkflow('slow'));
    const down: string[][] = [];
    let before: string | undefined;
    for (let round = 0; round < 20; round++) {
      const page = await engine.listExecutions({ limit: 2, ...(before === undefined ? {} : { before }) });
      if (page.length === 0) break;
      down.push(idsOf(page));
      before = page[page.length - 1]!.id;
    }
    expect(down.flat()).toEqual([...made].reverse());
    // Up from the last page: the same pages, then what was created since.
    const up: string[][] = [];
    let after = down[down.length - 1]![0]!;
    for (let round = 0; round < 20; round++) {
      const page = await engine.listExecutions({ limit: 2, after });
      up.push(idsOf(page));
      if (page.length < 2) break;
      after = page[0]!.id;
      if (round < 3) {
        made.push(await engine.executeWorkflow('quick'));
        made.push(await engine.executeWorkflow('slow'));
      }
    }
    expect(up.slice(0, 4)).toEqual(down.slice(0, 4).reverse());
    expect([...up].reverse().flat()).toEqual([...made].reverse().slice(0, -1));
    release();
  });

  it('pages on from an execution purged since, and with the filters', async () => {
    const { engine, release } = await start();
    const quick: string[] = [];
    for (let i = 0; i < 3; i++) quick.push(await engine.executeWorkflow('quick'));
    for (const id of quick) await engine.waitForCompletion(id, { timeout: 5 });
    const slow: string[] = [];
    for (let i = 0; i < 3; i++) slow.push(await engine.executeWorkflow('slow'));
    expect(await engine.purgeExecutions({ before: new Date(Date.now() + 60_000) })).toBe(3);
    expect(idsOf(await engine.listExecutions({ after: quick[1]! }))).toEqual([...slow].reverse());
    expect(idsOf(await engine.listExecutions({ after: quick[1]!, limit: 2 }))).toEqual([slow[1], slow[0]]);
    expect(
      idsOf(await engine.listExecutions({ after: slow[0]!, workflowId: 'slow', status: 'running' })),
    ).toEqual([slow[2], slow[1]]);
    expect(await engine.listExecutions({ after: slow[0]!, workflowId: 'quick' })).toEqual([]);
    expect(await engine.listExecutions({ after: slow[2]! })).toEqual([]);
    // An offset of 0 is no offset.
    expect(idsOf(await engine.listExecutions({ after: slow[0]!, offset: 0 }))).toEqual([slow[2], slow[1]]);
    release();
  });

  it('refuses a cursor that is not an execution id of this engine, both cursors, and an offset', async () => {
    const { engine } = await start();
    const id = await engine.executeWorkflow('quick');
    for (const after of ['', 'nope', `${id}x`, id.toUpperCase(), 'exec_0000000000000000000000000z', 42]) {
      const error = await engine.listExecutions({ after: after as string }).catch((e: unknown) => e);
      expect(error, String(after)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({
        path: 'after',
        message: expect.stringContaining('execution id'),
      });
    }
    const both = await engine.listExecutions({ before: id, after: id }).catch((e: unknown) => e);
    expect(both).toBeInstanceOf(ValidationError);
    expect((both as ValidationError).issues[0]).toMatchObject({
      path: 'after',
      message: expect.stringContaining('before'),
    });
    const offset = await engine.listExecutions({ after: id, offset: 1 }).catch((e: unknown) => e);
    expect(offset).toBeInstanceOf(ValidationError);
    expect((offset as ValidationError).issues[0]).toMatchObject({
      path: 'offset',
      message: expect.stringContaining('after'),
    });
  });
});

describe('listExecutions with after and a status this node has moved executions on from', () => {
  it('reads on upwards past them and keeps the executions nearest to the cursor', async () => {
    // Completions are held on their way to the store: stored running, completed in memory.
    const completions = gate();
    let held = 0;
    const { store, release } = holdingStore(join(tempDir(), 'store.sqlite'), (u) => {
      if (u.set?.status !== 'completed') return false;
      if (++held === 3) completions.open();
      return true;
    });
    const hold = deferred<number>();
    const orch = await withOrchestrator({ store, actions: { done: () => 1, hold: () => hold.promise } });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('quick', [{ name: 'done' }]);
    await engine.defineWorkflow('slow', [{ name: 'hold' }]);
    const a = await engine.executeWorkflow('slow');
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      order.push(await engine.executeWorkflow('quick'));
      order.push(await engine.executeWorkflow('slow'));
    }
    await completions.promise;
    const [, b1, , b2, , b3] = order;
    // Read up: quick 1 and b1 (b1 kept), quick 2 and b2 (b2 kept): two running, so done; b3 is
    // newer than what was read and not among the two nearest.
    expect(idsOf(await engine.listExecutions({ status: 'running', after: a, limit: 2 }))).toEqual([b2, b1]);
    expect(idsOf(await engine.listExecutions({ status: 'running', after: a, limit: 1 }))).toEqual([b1]);
    expect(idsOf(await engine.listExecutions({ status: 'running', after: b1!, limit: 5 }))).toEqual([b3, b2]);
    release();
    hold.resolve(1);
  });
});

describe('listExecutions with after on a custom store that ignores it', () => {
  it('rejects with UNSUPPORTED rather than hand back a page nearer the newest', async () => {
    // A custom adapter written before `after`: it drops the filter's `after`.
    class OldStore extends MemoryStore {
      override listExecutions(filter: ExecutionFilter) {
        const { after: _ignored, ...rest } = filter;
        return super.listExecutions(rest);
      }
    }
    const orch = await withOrchestrator({ store: new OldStore(), actions: { done: () => 1 } });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('quick', [{ name: 'done' }]);
    for (let i = 0; i < 6; i++) await engine.waitForCompletion(await engine.executeWorkflow('quick'));
    const all = idsOf(await engine.listExecutions());
    // The newest page is all newer than the oldest: only asking the store shows it ignored `after`.
    for (const after of [all[5]!, all[0]!]) {
      const error = await engine.listExecutions({ limit: 2, after }).catch((e: unknown) => e);
      expect(error, after).toBeInstanceOf(OrchestratorError);
      expect(error).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('after') });
    }
    // A store that honours it answers.
    const honest = await withOrchestrator({ store: new MemoryStore(), actions: { done: () => 1 } });
    await honest.workflowEngine.defineWorkflow('quick', [{ name: 'done' }]);
    const made: string[] = [];
    for (let i = 0; i < 4; i++) made.push(await honest.workflowEngine.executeWorkflow('quick'));
    for (const id of made) await honest.workflowEngine.waitForCompletion(id);
    expect(idsOf(await honest.workflowEngine.listExecutions({ limit: 2, after: made[0]! }))).toEqual([
      made[2],
      made[1],
    ]);
  });
});
