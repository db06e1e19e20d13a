/**
 * A step output too large to store (over MAX_OUTPUT_TEXT characters of JSON text) fails its
 * attempt with INVALID_OUTPUT, not retried, instead of a store write that fails every time and
 * leaves the step to run again after each one.
 */
import { describe, expect, it } from 'vitest';
import { MAX_OUTPUT_TEXT } from '../../src/engine/action-step.js';
import { STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

const MIB = 1024 * 1024;

describe.each(STORE_KINDS)('step output size (%s store)', (kind) => {
  it('fails a step whose output is over the limit, once, and compensates the steps before it', async () => {
    const half = 'x'.repeat(MAX_OUTPUT_TEXT / 2 + MIB); // the same string twice: counted twice, as in JSON
    let calls = 0;
    const undone: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        reserve: () => 'r-1',
        big: () => {
          calls++;
          return { first: half, second: [half] };
        },
      },
      compensations: { release: (output) => void undone.push(String(output)) },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'big', retry: { maxAttempts: 3, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 20 });
    expect(status.status).toBe('failed');
    expect(status.error).toEqual({
      code: 'INVALID_OUTPUT',
      message: `Step 'big' returned a value too large to store: about 66 MiB of JSON text, over the limit of 64 MiB`,
      step: 'big',
    });
    expect(calls).toBe(1);
    expect(undone).toEqual(['r-1']);
    expect(status.compensatedSteps).toEqual(['reserve']);
  });
});

describe('step output size (memory store)', () => {
  it('counts numbers too: an output of 9 million numbers is over the limit', async () => {
    // Each number counts 8 (its JSON takes up to 24 characters): 9e6 long numbers would make
    // ~216 MB of JSON, twice that in a loop's record, near the largest string V8 can build.
    const numbers = new Array<number>(9_000_000).fill(1.234567890123e-300);
    const orch = await withOrchestrator({ store: 'memory', actions: { big: () => numbers } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'big' }]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('INVALID_OUTPUT');
    expect(status.error?.message).toContain('over the limit of 64 MiB');
  });

  it("counts JSON's escapes: 12 MiB of control characters are 72 MiB of JSON text", async () => {
    // Each U+0001 is written \u0001 (6 characters): a store would have to hold 72 MiB, twice
    // that in a loop's record. Quotes and backslashes count twice, a lone surrogate six times.
    const control = '\u0001'.repeat(12 * MIB);
    const orch = await withOrchestrator({ store: 'memory', actions: { big: () => ({ control }) } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'big' }]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.status).toBe('failed');
    expect(status.error?.message).toBe(
      "Step 'big' returned a value too large to store: about 72 MiB of JSON text, over the limit of 64 MiB",
    );
  });

  it('keeps a large output whose escapes stay under the limit', async () => {
    // 20 MiB: over a sixth of the limit, so the escapes are counted; 1 MiB of them adds 5 MiB.
    const text = `${'\u0002'.repeat(MIB)}${'"'.repeat(MIB)}${'z'.repeat(18 * MIB)}`;
    const orch = await withOrchestrator({ store: 'memory', actions: { big: () => ({ text }) } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'big' }]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.status).toBe('completed');
  });

  it('keeps an output just under the limit', async () => {
    const text = 'y'.repeat(MAX_OUTPUT_TEXT - 64);
    const orch = await withOrchestrator({ store: 'memory', actions: { big: () => ({ text }) } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'big' }]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.status).toBe('completed');
    expect((status.outputData.big as { text: string }).text.length).toBe(MAX_OUTPUT_TEXT - 64);
  });
});

describe('step output size of what ctx.outputs holds (memory store)', () => {
  it('counts an earlier output returned through ctx.outputs once, as its JSON has it', async () => {
    // 40 MiB: under the limit once, over it if counted twice (as it is copied out of ctx.outputs
    // on first read, and then as part of the output).
    const text = 'x'.repeat(40 * MIB);
    const orch = await withOrchestrator({
      store: 'memory',
      actions: {
        fetch: () => text,
        pass: (_input, ctx) => ({ all: ctx.outputs }),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'fetch' }, { name: 'pass' }]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.error).toBeUndefined();
    expect(status.status).toBe('completed');
    const output = status.steps.find((s) => s.name === 'pass')?.output as { all: { fetch: string } };
    expect(output.all.fetch).toHaveLength(40 * MIB);
  });
});
