/**
 * A step's error as the status reports it is the same on every store, before and after a
 * restart: a handler's message or code with a U+0000 or a lone UTF-16 surrogate (an emoji cut in
 * two) is reported with U+FFFD in its place, which is what PostgreSQL can store.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, NonRetryableError } from '../../src/index.js';
import { tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

const schemas: string[] = [];
beforeAll(() => assertServerReachable());
afterEach(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

function store(kind: string): string {
  if (kind === 'memory') return 'memory';
  if (kind === 'sqlite') return tempSqliteUrl();
  const schema = freshSchema();
  schemas.push(schema);
  return `${PG_URL}?schema=${schema}`;
}

describe.each(['memory', 'sqlite', 'postgres'])('step error text (%s store)', (kind) => {
  it('reports a message and code with U+0000 or a lone surrogate as stored, before and after a restart', async () => {
    const url = store(kind);
    const failing = () => {
      throw new NonRetryableError('cut \ud83d here, nul \u0000 there, pair \ud83d\ude00 kept', {
        code: 'BAD_\udc00',
      });
    };
    const orch = await withOrchestrator({ store: url, actions: { a: failing } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const live = await orch.workflowEngine.waitForCompletion(id);
    const expected = {
      code: 'BAD_\ufffd',
      message: 'cut \ufffd here, nul \ufffd there, pair \ud83d\ude00 kept',
      step: 'a',
    };
    expect(live.status).toBe('failed');
    expect(live.error).toEqual(expected);
    if (kind === 'memory') return;
    await orch.close();
    const again = await createOrchestrator({ store: url, actions: { a: failing } });
    try {
      expect((await again.workflowEngine.getExecutionStatus(id))?.error).toEqual(expected);
    } finally {
      await again.close();
    }
  });

  it('keeps at most 8192 characters of a message, as from a remote worker, never half a pair', async () => {
    const url = store(kind);
    const long = `${'x'.repeat(8191)}\ud83d\ude00${'y'.repeat(100_000)}`;
    const failing = () => {
      throw new Error(long);
    };
    const orch = await withOrchestrator({ store: url, actions: { a: failing }, retryDelay: 0.001 });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', retry: { maxAttempts: 1, initialDelay: 0.001 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const live = await orch.workflowEngine.waitForCompletion(id);
    const cut = 'x'.repeat(8191);
    expect(live.error).toEqual({ code: 'STEP_FAILED', message: cut, step: 'a' });
    expect(live.steps[0]?.error?.message).toBe(cut);
    expect(live.steps[0]?.history?.map((h) => h.error?.message)).toEqual([cut, cut]);
    if (kind === 'memory') return;
    await orch.close();
    const again = await createOrchestrator({ store: url, actions: { a: failing } });
    try {
      expect(JSON.stringify(await again.workflowEngine.getExecutionStatus(id))).toBe(JSON.stringify(live));
    } finally {
      await again.close();
    }
  });

  it('keeps at most 128 characters of a code, as from a remote worker, never half a pair', async () => {
    const url = store(kind);
    const failing = () => {
      throw new NonRetryableError('bad', { code: `${'C'.repeat(127)}\ud83d\ude00${'D'.repeat(50_000)}` });
    };
    const orch = await withOrchestrator({ store: url, actions: { a: failing } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const live = await orch.workflowEngine.waitForCompletion(id);
    expect(live.error).toEqual({ code: 'C'.repeat(127), message: 'bad', step: 'a' });
    expect(live.steps[0]?.history?.map((h) => h.error?.code)).toEqual(['C'.repeat(127)]);
    if (kind === 'memory') return;
    await orch.close();
    const again = await createOrchestrator({ store: url, actions: { a: failing } });
    try {
      expect((await again.workflowEngine.getExecutionStatus(id))?.error).toEqual(live.error);
    } finally {
      await again.close();
    }
  });
});
