/**
 * A handler's `ctx.outputs`: each output is copied when the handler first reads it, not every
 * output at once. A long workflow whose steps each read one earlier output otherwise copied all
 * the outputs so far at every step (quadratic: 1,000 steps of 10 KB outputs took 17 s instead
 * of 1.3 s). The copies still keep the engine's values safe from a handler that mutates them.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { AbortScope } from '../../src/engine/abort-scope.js';
import { runAttempt } from '../../src/engine/step-attempt.js';
import type { StepContext } from '../../src/types.js';

type Handler = (input: unknown, ctx: StepContext) => unknown;

/** Runs `handler` once with `outputs` as the engine's outputs; returns what it returned. */
async function runWith(outputs: Record<string, unknown>, handler: Handler): Promise<unknown> {
  const result = await runAttempt(
    handler,
    null,
    {
      executionId: 'e1',
      workflowId: 'w',
      stepName: 's',
      attempt: 1,
      idempotencyKey: 'e1:s',
      outputs,
    },
    new AbortScope(),
    null,
    new FakeClock(),
  );
  if (!result.ok) throw result.error;
  return result.output;
}

/** An output whose reads are counted (the engine's outputs are plain data: the count stands for a copy). */
function countedOutput(): { value: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const value = {};
  Object.defineProperty(value, 'big', {
    enumerable: true,
    get: () => {
      reads++;
      return 'x'.repeat(10);
    },
  });
  return { value, reads: () => reads };
}

describe('ctx.outputs', () => {
  it('copies only the outputs the handler reads', async () => {
    const other = countedOutput();
    const got = await runWith({ a: { n: 1 }, other: other.value }, (_input, ctx) => ctx.outputs.a);
    expect(got).toEqual({ n: 1 });
    expect(other.reads()).toBe(0);
  });

  it('lists every output, and reading one gives the same copy each time', async () => {
    const engine = { a: { list: [1] }, b: null, c: 'text' };
    await runWith(engine, (_input, ctx) => {
      expect(Object.keys(ctx.outputs)).toEqual(['a', 'b', 'c']);
      expect('b' in ctx.outputs).toBe(true);
      expect(ctx.outputs.a).toBe(ctx.outputs.a);
      expect(ctx.outputs.a).not.toBe(engine.a);
      expect({ ...ctx.outputs }).toEqual(engine);
      expect(JSON.parse(JSON.stringify(ctx.outputs))).toEqual(engine);
      expect(structuredClone(ctx.outputs)).toEqual(engine);
      expect(inspect(ctx.outputs)).toBe(inspect(engine));
      return null;
    });
  });

  it('lets the handler change, add and delete outputs without changing the engine values', async () => {
    const engine: Record<string, unknown> = { a: { list: [1] }, b: { n: 1 }, c: 1 };
    await runWith(engine, (_input, ctx) => {
      const outputs = ctx.outputs as Record<string, unknown>;
      (outputs.a as { list: number[] }).list.push(2);
      expect(outputs.a).toEqual({ list: [1, 2] });
      outputs.b = 'replaced';
      outputs.d = 'added';
      delete outputs.c;
      expect(outputs).toEqual({ a: { list: [1, 2] }, b: 'replaced', d: 'added' });
      return null;
    });
    expect(engine).toEqual({ a: { list: [1] }, b: { n: 1 }, c: 1 });
  });

  it('holds the outputs there were when the handler first read ctx.outputs', async () => {
    const engine: Record<string, unknown> = { a: { n: 1 } };
    await runWith(engine, (_input, ctx) => {
      const outputs = ctx.outputs;
      engine.a = { n: 2 };
      engine.b = { n: 3 };
      expect(outputs).toEqual({ a: { n: 1 } });
      return null;
    });
  });

  it('can be frozen or sealed by the handler, as a plain copy can, and still read', async () => {
    const engine: Record<string, unknown> = { a: { n: 1 }, b: { n: 2 }, c: 3 };
    await runWith(engine, (_input, ctx) => {
      const frozen = Object.freeze(ctx.outputs);
      expect(frozen.a).toEqual({ n: 1 });
      expect(frozen.a).toBe(frozen.a);
      expect(() => {
        (frozen as Record<string, unknown>).b = 'x';
      }).toThrow(TypeError);
      expect({ ...frozen }).toEqual(engine);
      return null;
    });
    await runWith(engine, (_input, ctx) => {
      const sealed = Object.seal(ctx.outputs) as Record<string, unknown>;
      sealed.b = 'replaced';
      expect(sealed).toEqual({ a: { n: 1 }, b: 'replaced', c: 3 });
      return null;
    });
    expect(engine).toEqual({ a: { n: 1 }, b: { n: 2 }, c: 3 });
  });
});

describe('ctx.outputs has only step names as keys', () => {
  it('inherits nothing: a step named constructor or toString reads as not completed yet', async () => {
    const seen = await runWith({ a: 1 }, (_input, ctx) => ({
      constructor: ctx.outputs.constructor ?? 'none',
      toString: 'toString' in ctx.outputs,
      keys: Object.keys(ctx.outputs),
      a: ctx.outputs.a,
      shown: inspect(ctx.outputs),
    }));
    expect(seen).toEqual({ constructor: 'none', toString: false, keys: ['a'], a: 1, shown: '{ a: 1 }' });
  });
});
