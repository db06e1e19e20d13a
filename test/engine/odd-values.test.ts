/**
 * Workflow inputs and step outputs that are not plain JSON, on every store: what JSON can hold is
 * kept as JSON keeps it (the memory store included), identical before and after a restart and as
 * the next step sees it; what it cannot is refused with its path — `executeWorkflow` with a
 * `ValidationError`, a step with `INVALID_OUTPUT` (not retried) — and never leaves an execution
 * running. PostgreSQL's jsonb refuses U+0000 and unpaired surrogates: inputs and outputs keep them.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, ValidationError } from '../../src/index.js';
import { ALL_STORE_KINDS, anyStoreUrl } from '../helpers/all-stores.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

/** Nested `levels` deep: `{ d: { d: ... 1 } }`. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { d: value };
  return value;
}

/** `items` with a hole at index 2 (an array JSON writes with null there). */
function withHole(items: unknown[]): unknown[] {
  delete items[2];
  return items;
}

const keys = JSON.parse('{"__proto__": {"p": 1}, "constructor": "c", "nul\\u0000key": 1, "lone\\ud800": 2}');

/** Values JSON holds, as given and as every store gives them back. */
function storable(): { given: Record<string, unknown>; kept: Record<string, unknown> } {
  return {
    given: {
      gone: undefined,
      list: withHole([1, undefined, 0, 3]),
      at: new Date(0),
      never: new Date(Number.NaN),
      zero: -0,
      big: 2 ** 53 + 2,
      tiny: 5e-324,
      text: 'nul \u0000, lone \ud83d and \udc00, pair \ud83d\ude00',
      bare: Object.assign(Object.create(null), { a: 1 }),
      keys,
      deep: nested(60),
    },
    kept: {
      list: [1, null, null, 3],
      at: '1970-01-01T00:00:00.000Z',
      never: null,
      zero: 0,
      big: 2 ** 53 + 2,
      tiny: 5e-324,
      text: 'nul \u0000, lone \ud83d and \udc00, pair \ud83d\ude00',
      bare: { a: 1 },
      keys,
      deep: nested(60),
    },
  };
}

class Point {
  x = 1;
}
const circular: Record<string, unknown> = { a: 1 };
circular.self = circular;

/** Values JSON cannot hold, with the path and message the refusal names. */
const REFUSED: [string, () => unknown, string][] = [
  ['bigint', () => 1n, '.v: expected a JSON value, got bigint'],
  ['NaN', () => Number.NaN, '.v: expected a finite number, got NaN'],
  ['Infinity', () => -Infinity, '.v: expected a finite number, got -Infinity'],
  ['Map', () => new Map([[1, 2]]), '.v: expected a plain object, got Map'],
  ['Set', () => new Set([1]), '.v: expected a plain object, got Set'],
  ['class instance', () => new Point(), '.v: expected a plain object, got Point'],
  ['function', () => () => 1, '.v: expected a JSON value, got function'],
  ['symbol', () => Symbol('s'), '.v: expected a JSON value, got symbol'],
  ['cycle', () => circular, '.v.self: contains a circular reference'],
  ['65 levels', () => nested(64), 'nested deeper than 64 levels'],
];

describe.each(ALL_STORE_KINDS)('odd values (%s store)', (kind) => {
  it('keeps what JSON holds as JSON does, for the next step and after a restart', async () => {
    const url = await anyStoreUrl(kind);
    const seen: unknown[] = [];
    const { given, kept } = storable();
    const actions = {
      echo: (input: unknown) => ({ ...(input as object), extra: storable().given }),
      nothing: () => undefined,
      see: (input: unknown) => {
        seen.push(input);
        return null;
      },
    };
    const orch = await withOrchestrator({ store: url, actions });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'echo' },
      { name: 'see', input: 'result' },
      { name: 'nothing' },
      { name: 'see_nothing', action: 'see', input: 'result' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w', given);
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(status.inputData).toStrictEqual(kept);
    expect(Object.is((status.inputData as { zero: number }).zero, 0)).toBe(true);
    expect(status.outputData.echo).toStrictEqual({ ...kept, extra: kept });
    expect(seen).toStrictEqual([{ ...kept, extra: kept }, null]);
    expect(status.outputData.nothing).toBeNull();
    if (kind === 'memory') return;
    await orch.close();
    const again = await createOrchestrator({ store: url, actions });
    try {
      const read = await again.workflowEngine.getExecutionStatus(id);
      expect(read).toStrictEqual(status);
      expect(JSON.stringify(read)).toBe(JSON.stringify(status));
    } finally {
      await again.close();
    }
  });

  it('refuses what JSON cannot hold, with its path: as input, and as a step output (not retried)', async () => {
    const url = await anyStoreUrl(kind);
    let produce: () => unknown = () => null;
    const actions = { produce: () => ({ v: produce() }) };
    const orch = await withOrchestrator({ store: url, actions });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'produce', retry: true }]);
    const failed: [string, string, string][] = [];
    for (const [label, make, problem] of REFUSED) {
      const refusal = await orch.workflowEngine.executeWorkflow('w', { v: make() }).catch((e: unknown) => e);
      expect(refusal, label).toBeInstanceOf(ValidationError);
      expect((refusal as Error).message, label).toContain(
        `inputData${problem.startsWith('.') ? '' : '.v.d'}`,
      );
      expect((refusal as Error).message, label).toContain(problem);
      produce = make;
      const id = await orch.workflowEngine.executeWorkflow('w', {});
      const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
      expect(status.status, label).toBe('failed');
      expect(status.steps[0]?.attempts, label).toBe(1);
      expect(status.error?.code, label).toBe('INVALID_OUTPUT');
      expect(status.error?.message, label).toContain(
        `Step 'produce' returned a value that cannot be stored: output`,
      );
      expect(status.error?.message, label).toContain(problem);
      failed.push([id, label, JSON.stringify(status)]);
    }
    if (kind === 'memory') return;
    await orch.close();
    const again = await createOrchestrator({ store: url, actions });
    try {
      for (const [id, label, before] of failed) {
        expect(JSON.stringify(await again.workflowEngine.getExecutionStatus(id)), label).toBe(before);
      }
    } finally {
      await again.close();
    }
  });
});
