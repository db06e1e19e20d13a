// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * Conditional steps (SPEC §3): safe CEL conditions over `result`, `input` and
 * `steps.<name>.output`; `then`/`else` jump (forwards or backwards, like a goto); a missing branch
 * continues with the next step; a failing or non-boolean condition fails with EXPRESSION_ERROR
 * and is not retried; more than 10,000 transitions fail with LOOP_LIMIT.
 */
import { describe, expect, it } from 'vitest';
import { runToEnd, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('conditional steps (%s store)', (kind) => {
  const recorder = () => {
    const ran: string[] = [];
    const action = (name: string, output: unknown = { from: name }) => [
      name,
      () => {
        ran.push(name);
        return output;
      },
    ];
    return { ran, action };
  };

  it('jumps forward to `then` when the condition on `result` is true, skipping the steps between', async () => {
    const { ran, action } = recorder();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: Object.fromEntries([
        action('call_api', { status: 'success' }),
        action('error_handler'),
        action('next_step'),
      ]),
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'call_api' },
      { name: 'check', condition: "result.status == 'success'", then: 'next_step', else: 'error_handler' },
      { name: 'error_handler' },
      { name: 'next_step' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('completed');
    expect(ran).toEqual(['call_api', 'next_step']);
    const check = status.steps.find((s) => s.name === 'check');
    expect(check?.decision).toBe('then');
    expect(status.steps.find((s) => s.name === 'error_handler')?.status).not.toBe('completed');
  });

  it('jumps to `else` when the condition is false and then continues in order from the target (goto)', async () => {
    const { ran, action } = recorder();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: Object.fromEntries([
        action('call_api', { status: 'error' }),
        action('error_handler'),
        action('next_step'),
      ]),
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'call_api' },
      { name: 'check', condition: "result.status == 'success'", then: 'next_step', else: 'error_handler' },
      { name: 'error_handler' },
      { name: 'next_step' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('completed');
    // Like a goto: after error_handler, next_step runs too.
    expect(ran).toEqual(['call_api', 'error_handler', 'next_step']);
    expect(status.steps.find((s) => s.name === 'check')?.decision).toBe('else');
  });

  it('continues with the next step when the taken branch is missing', async () => {
    const { ran, action } = recorder();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: Object.fromEntries([action('a'), action('b'), action('c')]),
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      { name: 'only_then', condition: 'input.flag', then: 'c' },
      { name: 'b' },
      { name: 'c' },
    ]);
    await runToEnd(orch, 'w', { flag: false });
    expect(ran).toEqual(['a', 'b', 'c']);
    ran.length = 0;
    await runToEnd(orch, 'w', { flag: true });
    expect(ran).toEqual(['a', 'c']);

    await orch.workflowEngine.defineWorkflow('w2', [
      { name: 'a' },
      { name: 'only_else', condition: 'input.flag', else: 'c' },
      { name: 'b' },
      { name: 'c' },
    ]);
    ran.length = 0;
    await runToEnd(orch, 'w2', { flag: true });
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('reads `input` and `steps.<name>.output` in conditions', async () => {
    const { ran, action } = recorder();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: Object.fromEntries([
        action('score', { value: 0.4 }),
        action('other'),
        action('high'),
        action('low'),
      ]),
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'score' },
      { name: 'other' },
      { name: 'route', condition: 'steps.score.output.value >= input.threshold', then: 'high', else: 'low' },
      { name: 'high' },
      { name: 'done', condition: 'true', then: 'end' },
      { name: 'low' },
      { name: 'end', action: 'noop' },
    ]);
    await runToEnd(orch, 'w', { threshold: 0.3 });
    expect(ran).toEqual(['score', 'other', 'high']);
    ran.length = 0;
    await runToEnd(orch, 'w', { threshold: 0.5 });
    expect(ran).toEqual(['score', 'other', 'low']);
  });

  it('loops backwards until the condition ends the loop', async () => {
    let n = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { inc: () => ({ n: ++n }), after: () => 'done' },
    });
    await orch.workflowEngine.defineWorkflow('loop', [
      { name: 'inc' },
      { name: 'again', condition: 'result.n < 5', then: 'inc' },
      { name: 'after' },
    ]);
    const status = await runToEnd(orch, 'loop');
    expect(status.status).toBe('completed');
    expect(n).toBe(5);
    expect(status.outputData).toMatchObject({ inc: { n: 5 }, after: 'done' });
  });

  it('gives each loop iteration a distinct idempotency key for the revisited step', async () => {
    const keys: string[] = [];
    let n = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        inc: (_i, ctx) => {
          keys.push(ctx.idempotencyKey);
          return { n: ++n };
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('loop', [
      { name: 'inc' },
      { name: 'again', condition: 'result.n < 3', then: 'inc' },
    ]);
    await runToEnd(orch, 'loop');
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
  });

  it('reruns every branch of a parallel step on each loop iteration', async () => {
    const runs: string[] = [];
    let round = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        start: () => ({ round: ++round }),
        x: (input) => {
          runs.push(`x${round}`);
          return { x: round, input };
        },
        y: () => {
          runs.push(`y${round}`);
          return round;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'start' },
      { name: 'p', parallel: [{ name: 'x', input: 'steps.start.output' }, { name: 'y' }] },
      { name: 'again', condition: 'result.y < 3', then: 'start' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('completed');
    expect(runs.sort()).toEqual(['x1', 'x2', 'x3', 'y1', 'y2', 'y3']);
    expect(status.outputData.p).toEqual({ x: { x: 3, input: { round: 3 } }, y: 3 });
  });

  it('fails with LOOP_LIMIT after 10,000 transitions in an endless loop', async () => {
    let runs = 0;
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { spin: () => ++runs } });
    await orch.workflowEngine.defineWorkflow('forever', [
      { name: 'spin' },
      { name: 'back', condition: 'true', then: 'spin' },
    ]);
    // 10,000 durable transitions: allowed most of the test's 30 s on a loaded machine.
    const status = await runToEnd(orch, 'forever', {}, 25);
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('LOOP_LIMIT');
    // Transitions 1..10,000 alternate spin, back: spin ran 5,000 times, the 10,001st was refused.
    expect(runs).toBe(5_000);
  });

  it('does not hit LOOP_LIMIT at exactly 10,000 transitions', async () => {
    let runs = 0;
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { spin: () => ({ n: ++runs }) } });
    // spin + back = 2 transitions per round; 5,000 rounds = 10,000 transitions (the last `back` falls through).
    await orch.workflowEngine.defineWorkflow('bounded', [
      { name: 'spin' },
      { name: 'back', condition: 'result.n < 5000', then: 'spin' },
    ]);
    const status = await runToEnd(orch, 'bounded', {}, 25);
    expect(status.status).toBe('completed');
    expect(runs).toBe(5_000);
  });

  it('fails with EXPRESSION_ERROR when a condition returns a non-boolean, and does not retry', async () => {
    const { ran, action } = recorder();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: Object.fromEntries([action('a', { status: 'ok' }), action('b')]),
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', retry: true },
      { name: 'cond', condition: 'result.status', then: 'b' },
      { name: 'b', retry: true },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'EXPRESSION_ERROR', step: 'cond' });
    expect(status.error?.message).toMatch(/boolean/);
    const cond = status.steps.find((s) => s.name === 'cond');
    expect(cond).toMatchObject({ status: 'failed', attempts: 1 });
    expect(ran).toEqual(['a']);
  });

  it('fails with EXPRESSION_ERROR when a condition fails to evaluate (missing field)', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => ({}) } });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      { name: 'cond', condition: "result.status == 'success'", then: 'a' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'EXPRESSION_ERROR', step: 'cond' });
  });

  it("fails with EXPRESSION_ERROR on a skipped step's output, compensating what completed; `in` guards it", async () => {
    const compensated: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { a: () => 1, skipped: () => 2, after: () => 3 },
      compensations: { undo_a: () => compensated.push('a') },
    });
    await orch.workflowEngine.defineWorkflow('bad', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'jump', condition: 'true', then: 'check' },
      { name: 'skipped' },
      { name: 'check', condition: 'steps.skipped.output == 2' },
    ]);
    await orch.workflowEngine.defineWorkflow('guarded', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'jump', condition: 'true', then: 'check' },
      { name: 'skipped' },
      { name: 'check', condition: "'skipped' in steps ? steps.skipped.output == 2 : false", then: 'skipped' },
      { name: 'after' },
    ]);
    const bad = await runToEnd(orch, 'bad');
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatchObject({ code: 'EXPRESSION_ERROR', step: 'check' });
    expect(bad.error?.message).toContain("step 'skipped' has no output");
    expect(bad.steps.find((s) => s.name === 'check')?.attempts).toBe(1);
    expect(compensated).toEqual(['a']);
    const guarded = await runToEnd(orch, 'guarded');
    expect(guarded.status).toBe('completed');
    expect(guarded.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'completed'],
      ['jump', 'completed'],
      ['skipped', 'skipped'],
      ['check', 'completed'],
      ['after', 'completed'],
    ]);
  });

  it('fails a step whose input expression fails with EXPRESSION_ERROR, without retrying it', async () => {
    let calls = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: () => ({}),
        b: () => {
          calls++;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      { name: 'b', retry: { maxAttempts: 5 }, input: "{'x': steps.a.output.missing.deeper}" },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'EXPRESSION_ERROR', step: 'b' });
    expect(status.steps[1]?.attempts).toBe(1);
    expect(calls).toBe(0);
  });

  it('has no access to process or globals from an expression', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    for (const condition of ['process.exit(1) == 0', 'globalThis.process != null', "require('fs') != null"]) {
      await expect(
        orch.workflowEngine.defineWorkflow('evil', [{ name: 'c', condition, then: 'c' }]),
      ).rejects.toMatchObject({ name: 'ValidationError' });
    }
  });

  it('runs no action for a conditional step', async () => {
    const calls: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { check: () => calls.push('check'), a: () => calls.push('a') },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'check', condition: 'true' }]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('completed');
    expect(calls).toEqual(['a']);
  });
});

describe('LOOP_LIMIT (memory store)', () => {
  it('is a failure like any other: the steps completed before the loop are compensated', async () => {
    const undone: unknown[] = [];
    const orch = await withOrchestrator({
      store: 'memory',
      actions: { book: () => ({ booking: 'B-1' }), spin: () => null },
      compensations: { cancel_booking: (output) => undone.push(output) },
    });
    await orch.workflowEngine.defineWorkflow('forever', [
      { name: 'book', compensation: 'cancel_booking' },
      { name: 'spin' },
      { name: 'back', condition: 'true', then: 'spin' },
    ]);
    const status = await runToEnd(orch, 'forever', {}, 25);
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('LOOP_LIMIT');
    expect(undone).toEqual([{ booking: 'B-1' }]);
    expect(status.compensatedSteps).toEqual(['book']);
  });
});
