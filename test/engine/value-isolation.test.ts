/**
 * Values handed across the handler boundary are copies (SPEC §4, §6): a handler that mutates its
 * input, the workflow input the caller passed, or another step's output seen through
 * `ctx.outputs` changes nothing the engine keeps, so later steps, expressions and the status see
 * what was stored (as they would after a restart).
 */
import { describe, expect, it } from 'vitest';
import { runToEnd, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

type Obj = Record<string, unknown>;

describe.each(STORE_KINDS)('handler values are copies (%s store)', (kind) => {
  it('a handler mutating its input changes neither the workflow input nor the caller object', async () => {
    const seen: unknown[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: (input) => {
          (input as Obj).x = 'mutated';
          ((input as Obj).list as number[]).push(99);
          return null;
        },
        b: (input) => {
          seen.push(structuredClone(input));
          return input;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      { name: 'b' },
      { name: 'c', action: 'noop', input: 'input' },
    ]);
    const input = { x: 'original', list: [1] };
    const status = await runToEnd(orch, 'w', input);
    expect(status.status).toBe('completed');
    expect(input).toEqual({ x: 'original', list: [1] });
    expect(seen).toEqual([{ x: 'original', list: [1] }]);
    expect(status.inputData).toEqual({ x: 'original', list: [1] });
    expect(status.outputData.c).toEqual({ x: 'original', list: [1] });
  });

  it('the caller mutating its object after executeWorkflow does not reach the execution', async () => {
    let release!: () => void;
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { wait: () => started.then(() => null), echo: (input) => input },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'wait' }, { name: 'echo' }]);
    const input = { n: 1 };
    const id = await orch.workflowEngine.executeWorkflow('w', input);
    input.n = 2;
    release();
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.inputData).toEqual({ n: 1 });
    expect(status.outputData.echo).toEqual({ n: 1 });
  });

  it('a handler mutating ctx.outputs or a returned object changes no recorded output', async () => {
    let kept: { list: number[] } | null = null;
    const compensated: unknown[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: () => {
          kept = { list: [1] };
          return kept;
        },
        b: (_input, ctx) => {
          (ctx.outputs.a as { list: number[] }).list.push(2);
          delete (ctx.outputs as Obj).a;
          kept?.list.push(3);
          return { ok: true };
        },
        c: (input) => input,
        d: () => {
          throw new Error('boom');
        },
      },
      compensations: {
        undo: (output) => {
          (output as { list: number[] }).list.push(4);
          compensated.push(structuredClone(output));
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo' },
      { name: 'b' },
      { name: 'c', input: 'steps.a.output' },
      { name: 'd' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    expect(status.outputData.a).toEqual({ list: [1] });
    expect(status.outputData.c).toEqual({ list: [1] });
    expect(compensated).toEqual([{ list: [1, 4] }]);
    expect(status.steps[0]?.output).toEqual({ list: [1] });
  });
  it('dates and undefined come back as the stores keep them (JSON), on every store', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        stamp: (input) => ({ at: new Date(0), list: [1, undefined], gone: undefined, in: input }),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'stamp' }]);
    const status = await runToEnd(orch, 'w', { when: new Date(1000) });
    expect(status.status).toBe('completed');
    const at0 = '1970-01-01T00:00:00.000Z';
    const at1 = '1970-01-01T00:00:01.000Z';
    expect(status.inputData).toEqual({ when: at1 });
    expect(status.outputData.stamp).toStrictEqual({ at: at0, list: [1, null], in: { when: at1 } });
  });

  it('-0 comes back as 0, as JSON keeps it, on every store and before a restart too', async () => {
    const seen: unknown[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        zero: (input) => {
          seen.push(input);
          return { z: -0, list: [-0], in: input };
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'zero' }]);
    const status = await runToEnd(orch, 'w', { z: -0 });
    expect(status.inputData).toStrictEqual({ z: 0 });
    expect(Object.is((status.inputData as Obj).z, 0)).toBe(true);
    const out = status.outputData.zero as { z: number; list: number[]; in: Obj };
    expect([out.z, out.list[0], out.in.z, (seen[0] as Obj).z].map((n) => Object.is(n, 0))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(JSON.stringify(await orch.workflowEngine.getExecutionStatus(status.id))).toBe(
      JSON.stringify(status),
    );
  });

  it('a caller mutating a status it read changes neither the execution nor later reads', async () => {
    let release!: () => void;
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: unknown[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: () => started.then(() => ({ list: [1] })),
        b: (input) => {
          seen.push(structuredClone(input));
          return null;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', { n: 1 });
    const running = await orch.workflowEngine.getExecutionStatus(id);
    (running?.inputData as Obj).n = 2;
    const [listed] = await orch.workflowEngine.listExecutions({ workflowId: 'w' });
    (listed?.inputData as Obj).extra = true;
    release();
    const done = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(seen).toEqual([{ n: 1 }]);
    (done.inputData as Obj).n = 3;
    ((done.outputData.a as Obj).list as number[]).push(2);
    (done.steps[0]!.output as { list: number[] }).list.push(3);
    const again = await orch.workflowEngine.getExecutionStatus(id);
    expect(again?.inputData).toEqual({ n: 1 });
    expect(again?.outputData.a).toEqual({ list: [1] });
    expect(again?.steps[0]?.output).toEqual({ list: [1] });
  });

  it('a step.completed listener mutating the output changes no recorded output', async () => {
    const seen: unknown[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: () => ({ list: [1] }),
        branch: () => ({ list: [1] }),
        b: (_input, ctx) => {
          seen.push(structuredClone(ctx.outputs));
          return null;
        },
      },
    });
    const heard: unknown[] = [];
    const sameCopy: boolean[] = [];
    orch.on('step.completed', (event) => {
      const output = event.output as { list?: number[] } | null;
      output?.list?.push(99);
      // The listener's copy is made once: read again, it is the same (mutated) object, and a
      // serialised event carries it. Recorded, not asserted here: the emitter catches what a
      // listener throws, so a failed expect would go unseen.
      sameCopy.push(event.output === output);
      heard.push(JSON.parse(JSON.stringify(event)));
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      { name: 'p', parallel: [{ name: 'branch' }] },
      { name: 'b' },
      { name: 'c', action: 'noop', input: 'steps.a.output' },
    ]);
    const status = await runToEnd(orch, 'w', {});
    expect(status.status).toBe('completed');
    expect(sameCopy).toEqual([true, true, true, true, true]);
    expect(seen).toEqual([{ a: { list: [1] }, branch: { list: [1] }, p: { branch: { list: [1] } } }]);
    expect(status.outputData.a).toEqual({ list: [1] });
    expect(status.outputData.p).toEqual({ branch: { list: [1] } });
    expect(status.outputData.c).toEqual({ list: [1] });
    expect(heard).toContainEqual(expect.objectContaining({ step: 'a', output: { list: [1, 99] } }));
    expect(heard).toContainEqual(
      expect.objectContaining({ step: 'branch', parent: 'p', output: { list: [1, 99] } }),
    );
  });

  it('listeners mutating the error of a failure event change no recorded error', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        reserve: () => ({ id: 1 }),
        charge: () => {
          throw Object.assign(new Error('card declined'), { code: 'DECLINED' });
        },
      },
      compensations: {
        release: () => {
          throw Object.assign(new Error('release failed'), { code: 'RELEASE' });
        },
      },
      retryAttempts: 0,
    });
    const scribble = (event: { error: { message: string; code: string } }) => {
      event.error.message = 'scribbled';
      event.error.code = 'SCRIBBLED';
    };
    for (const name of [
      'step.failed',
      'compensation.failed',
      'execution.compensating',
      'execution.failed',
      'execution.finished',
    ] as const) {
      orch.on(name, scribble as never);
    }
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'charge' },
    ]);
    const status = await runToEnd(orch, 'w', {});
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'DECLINED', message: 'card declined', step: 'charge' });
    const charge = status.steps.find((s) => s.name === 'charge');
    expect(charge?.error).toMatchObject({ code: 'DECLINED', message: 'card declined' });
    const reserve = status.steps.find((s) => s.name === 'reserve');
    expect(reserve?.compensation?.error).toMatchObject({ message: 'release failed' });
  });
});
