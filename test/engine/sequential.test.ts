/**
 * Sequential workflows (SPEC §3): steps run in order, one at a time; a step's action defaults
 * to its name; its input is its `input` expression, else the workflow input; handlers get the
 * documented context.
 */
import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../src/index.js';
import { gate, runToEnd, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('sequential workflows (%s store)', (kind) => {
  it('runs the steps in order, each after the previous one finished', async () => {
    const log: string[] = [];
    const step = (name: string) => async () => {
      log.push(`${name}:start`);
      await new Promise((r) => setImmediate(r));
      log.push(`${name}:end`);
      return name;
    };
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { step1: step('step1'), step2: step('step2'), step3: step('step3') },
    });
    await orch.workflowEngine.defineWorkflow('seq', [
      { name: 'step1' },
      { name: 'step2' },
      { name: 'step3' },
    ]);
    const status = await runToEnd(orch, 'seq');
    expect(status.status).toBe('completed');
    expect(log).toEqual(['step1:start', 'step1:end', 'step2:start', 'step2:end', 'step3:start', 'step3:end']);
    expect(status.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it("uses the step's name as its action unless `action` names another handler", async () => {
    const calls: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        validate_input: () => calls.push('validate_input'),
        validate: () => calls.push('validate'),
        process: () => calls.push('process'),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'validate_input', action: 'validate' },
      { name: 'process' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('completed');
    expect(calls).toEqual(['validate', 'process']);
  });

  it('passes the workflow input to a step without an input expression', async () => {
    const seen: unknown[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: (input) => {
          seen.push(input);
          return { changed: true };
        },
        b: (input) => {
          seen.push(input);
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }]);
    const input = { user_id: 123, action: 'transcribe', nested: { list: [1, 'two', null] } };
    await runToEnd(orch, 'w', input);
    expect(seen).toEqual([input, input]);
  });

  it("evaluates a step's input expression over input, result and steps.<name>.output", async () => {
    const seen: unknown[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        stt: () => ({ text: 'hello world', confidence: 0.9 }),
        llm: (input) => {
          seen.push(input);
          return { reply: 'hi' };
        },
        tts: (input) => {
          seen.push(input);
          return 'audio';
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('voice', [
      { name: 'stt' },
      { name: 'llm', input: "{'text': steps.stt.output.text, 'user': input.userId}" },
      { name: 'tts', input: "{'say': result.reply, 'heard': steps.stt.output.text}" },
    ]);
    const status = await runToEnd(orch, 'voice', { userId: 7 });
    expect(status.status).toBe('completed');
    expect(seen).toEqual([
      { text: 'hello world', user: 7 },
      { say: 'hi', heard: 'hello world' },
    ]);
  });

  it('gives handlers the documented context', async () => {
    const contexts: StepContext[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        first: (_input, ctx) => {
          contexts.push({ ...ctx, outputs: { ...ctx.outputs } });
          return { n: 1 };
        },
        second: (_input, ctx) => {
          contexts.push({ ...ctx, outputs: { ...ctx.outputs } });
          return { n: 2 };
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('ctx', [{ name: 'first' }, { name: 'second' }]);
    const id = await orch.workflowEngine.executeWorkflow('ctx', {});
    await orch.workflowEngine.waitForCompletion(id);
    const [c1, c2] = contexts;
    expect(c1).toMatchObject({ executionId: id, workflowId: 'ctx', stepName: 'first', attempt: 1 });
    expect(c2).toMatchObject({ executionId: id, workflowId: 'ctx', stepName: 'second', attempt: 1 });
    expect(c1?.signal).toBeInstanceOf(AbortSignal);
    expect(c1?.signal.aborted).toBe(false);
    expect(typeof c1?.idempotencyKey).toBe('string');
    expect(c1?.idempotencyKey).not.toBe(c2?.idempotencyKey);
    expect(c1?.outputs).toEqual({});
    expect(c2?.outputs).toEqual({ first: { n: 1 } });
  });

  it('gives handlers a context whose own keys are the documented fields, signal included', async () => {
    let keys: string[] = [];
    let json = '';
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        look: (_input, ctx) => {
          keys = Object.keys(ctx);
          json = JSON.stringify(ctx);
          return null;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('keys', [{ name: 'look' }]);
    const id = await orch.workflowEngine.executeWorkflow('keys', {});
    await orch.workflowEngine.waitForCompletion(id);
    expect(keys.sort()).toEqual(
      [
        'attempt',
        'deadline',
        'executionId',
        'idempotencyKey',
        'outputs',
        'signal',
        'stepName',
        'workflowId',
      ].sort(),
    );
    expect(JSON.parse(json)).toMatchObject({ executionId: id, stepName: 'look', attempt: 1 });
  });

  it('accepts synchronous and asynchronous handlers and records undefined as null output', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        sync: () => 'plain',
        async: async () => ({ ok: true }),
        nothing: () => undefined,
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'sync' }, { name: 'async' }, { name: 'nothing' }]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('completed');
    expect(status.outputData).toMatchObject({ sync: 'plain', async: { ok: true } });
    expect(status.outputData.nothing ?? null).toBeNull();
  });

  it('does not start the next step while the current one is still running', async () => {
    const hold = gate();
    const entered = gate();
    const started: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        slow: async () => {
          started.push('slow');
          entered.open();
          await hold.promise;
        },
        next: () => {
          started.push('next');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'slow' }, { name: 'next' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await entered.promise;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['slow']);
    hold.open();
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('completed');
    expect(started).toEqual(['slow', 'next']);
  });

  it('runs the built-in noop action, which returns its input', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'echo', action: 'noop' },
      { name: 'shape', action: 'noop', input: "{'doubled': input.n * 2}" },
    ]);
    const status = await runToEnd(orch, 'w', { n: 21 });
    expect(status.outputData).toEqual({ echo: { n: 21 }, shape: { doubled: 42 } });
  });
});
