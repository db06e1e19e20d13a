/**
 * `ctx.outputs` and the expressions' `steps` hold the same steps whether or not the execution was
 * resumed: a conditional step, which records a decision and has no output, was in them once
 * resumed (its record's output is stored as null) and turned a later condition the other way. And
 * a parallel branch's previous visit's output stays visible in a loop, as an ordinary step's does.
 */
import { describe, expect, it } from 'vitest';
import type { OrchestratorOptions } from '../../src/index.js';
import { gate, tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

const FLOW = [
  { name: 'a' },
  // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
  { name: 'chk', condition: 'true', then: 'slow' },
  { name: 'slow' },
  // Two steps with outputs so far: a and slow.
  // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
  { name: 'e', condition: 'size(steps) == 2', then: 'x', else: 'y' },
  { name: 'x' },
  // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
  { name: 'end', condition: 'true', then: 'fin' },
  { name: 'y' },
  { name: 'fin', action: 'a' },
];

describe('outputs after a restart', () => {
  it('leave out conditional steps, as in a run not interrupted', async () => {
    const store = tempSqliteUrl();
    const inSlow = gate();
    const seen: string[][] = [];
    let phase: 'first' | 'second' = 'first';
    const opts = (): OrchestratorOptions => ({
      store,
      actions: {
        a: () => 'A',
        x: () => 'X',
        y: () => 'Y',
        slow: async (_input, ctx) => {
          seen.push(Object.keys(ctx.outputs).sort());
          if (phase === 'first') {
            inSlow.open();
            await untilAborted(ctx.signal);
          }
          return 'S';
        },
      },
    });
    const first = await withOrchestrator(opts());
    await first.workflowEngine.defineWorkflow('w', FLOW);
    const id = await first.workflowEngine.executeWorkflow('w');
    await inSlow.promise;
    await first.close();
    phase = 'second';
    const second = await withOrchestrator(opts());
    const status = await second.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('completed');
    expect(seen).toEqual([['a'], ['a']]);
    const ran = status.steps.filter((s) => s.status === 'completed').map((s) => s.name);
    expect(ran).toContain('x');
    expect(ran).not.toContain('y');
  });
});

describe('a parallel branch in a loop', () => {
  it("sees its previous visit's output, as an ordinary step does", async () => {
    const orch = await withOrchestrator({
      store: 'memory',
      actions: {
        inc: (_input, ctx) => ((ctx.outputs.inc as number | undefined) ?? 0) + 1,
        p1: (_input, ctx) => ((ctx.outputs.p1 as number | undefined) ?? 0) + 1,
      },
    });
    await orch.workflowEngine.defineWorkflow('loop', [
      { name: 'inc' },
      { name: 'par', parallel: [{ name: 'p1' }] },
      // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
      { name: 'chk', condition: 'result.p1 < 3', then: 'inc' },
    ]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('loop'),
    );
    expect(status.status).toBe('completed');
    expect(status.steps.find((s) => s.name === 'par')?.output).toEqual({ p1: 3 });
    expect(status.steps.find((s) => s.name === 'inc')?.output).toBe(3);
  });
});
