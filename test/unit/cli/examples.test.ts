/**
 * The example handlers: simulation flags from input, echoed outputs and the environment;
 * failures on chosen attempts; ids derived from the idempotency key; abort on `ctx.signal`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actions, compensations } from '../../../examples/handlers.js';
import { flagsFor, simulationOf, stableId } from '../../../examples/services/simulation.js';
import type { StepContext } from '../../../src/index.js';

function ctx(stepName: string, overrides: Partial<StepContext> = {}): StepContext {
  return {
    executionId: 'exec_1',
    workflowId: 'w',
    stepName,
    attempt: 1,
    signal: new AbortController().signal,
    idempotencyKey: `exec_1:${stepName}`,
    outputs: {},
    ...overrides,
  };
}

const call = (name: string, input: unknown, c: StepContext) => Promise.resolve(actions[name]!(input, c));

describe('simulation flags', () => {
  it('come from the input, else from an echoed `simulation` output, over the environment', () => {
    expect(flagsFor({ fast: true, fail: 'x' }, ctx('a'), {})).toEqual({
      latency: 0.01,
      failures: {},
      fail: ['x'],
    });
    const echoed = ctx('b', { outputs: { first: { simulation: { failures: { b: 2 } } } } });
    expect(flagsFor({ text: 'hi' }, echoed, {})).toEqual({ latency: 1, failures: { b: 2 }, fail: [] });
    expect(
      flagsFor({}, ctx('c'), { EXAMPLE_FAST: '1', EXAMPLE_FAIL: 'c, d', EXAMPLE_FAILURES: '{"c":1}' }),
    ).toEqual({
      latency: 0.01,
      failures: { c: 1 },
      fail: ['c', 'd'],
    });
    expect(simulationOf({ userId: 1 })).toBeUndefined();
    expect(simulationOf({ latency: 3, userId: 1 })).toEqual({ latency: 3 });
  });
});

describe('example actions', () => {
  it('fail the first N attempts with a retryable error, then succeed', async () => {
    const input = { audioUrl: 'https://x/a.wav', userId: 1, fast: true, failures: { transcribe_stt: 1 } };
    await expect(call('transcribe_stt', input, ctx('transcribe_stt'))).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    await expect(call('transcribe_stt', input, ctx('transcribe_stt', { attempt: 2 }))).resolves.toMatchObject(
      {
        language: 'en',
      },
    );
  });

  it('fail for good with a non-retryable error when asked', async () => {
    const input = { fast: true, fail: 'store_result' };
    await expect(call('store_result', input, ctx('store_result'))).rejects.toMatchObject({
      code: 'SIMULATED_FAILURE',
      name: 'NonRetryableError',
    });
  });

  it('fail when asked in the first step of each workflow too', async () => {
    const inputs: Record<string, object> = {
      validate_audio: { audioUrl: 'https://x/a.wav', userId: 1 },
      validate_input: { email: 'a@b.co', name: 'A' },
      extract_data: {},
    };
    for (const [step, input] of Object.entries(inputs)) {
      await expect(call(step, { ...input, fast: true, fail: step }, ctx(step))).rejects.toMatchObject({
        code: 'SIMULATED_FAILURE',
      });
      const failures = { ...input, fast: true, failures: { [step]: 1 } };
      await expect(call(step, failures, ctx(step))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await expect(call(step, failures, ctx(step, { attempt: 2 }))).resolves.toBeDefined();
    }
  });

  it('validate their input and echo the flags for later steps', async () => {
    await expect(
      call('validate_audio', { audioUrl: 'ftp://x', userId: 1 }, ctx('validate_audio')),
    ).rejects.toMatchObject({
      code: 'INVALID_AUDIO',
    });
    const out = await call(
      'validate_audio',
      { audioUrl: 'https://x/a.mp3', userId: 1, fast: true },
      ctx('validate_audio'),
    );
    expect(out).toMatchObject({ format: 'mp3', simulation: { fast: true } });
    await expect(
      call('validate_input', { email: 'nope', name: 'x' }, ctx('validate_input')),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('read the audio format from the URL path, so a signed URL with a query validates', async () => {
    const signed = 'https://bucket.example.com/calls/hello.WAV?X-Amz-Signature=abc.def#t=1';
    await expect(
      call('validate_audio', { audioUrl: signed, userId: 1, fast: true }, ctx('validate_audio')),
    ).resolves.toMatchObject({ format: 'wav' });
    await expect(
      call(
        'validate_audio',
        { audioUrl: 'https://example.com/audio', userId: 1, fast: true },
        ctx('validate_audio'),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_AUDIO', message: expect.stringContaining("format ''") });
    await expect(
      call('validate_audio', { audioUrl: 'https://a b/x.wav', userId: 1, fast: true }, ctx('validate_audio')),
    ).rejects.toMatchObject({ code: 'INVALID_AUDIO', message: 'input.audioUrl must be an http(s) URL' });
  });

  it('derive created ids from the idempotency key, so a re-run creates the same user', async () => {
    const c = ctx('create_user', { outputs: { validate_input: { simulation: { fast: true } } } });
    const first = await call('create_user', { email: 'a@b.co', name: 'A' }, c);
    const again = await call('create_user', { email: 'a@b.co', name: 'A' }, { ...c, attempt: 2 });
    expect(first).toEqual({ userId: stableId('usr', 'exec_1:create_user'), email: 'a@b.co' });
    expect(again).toEqual(first);
  });

  it('stop when ctx.signal aborts', async () => {
    const controller = new AbortController();
    const pending = call('process_llm', { text: 'hi' }, ctx('process_llm', { signal: controller.signal }));
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow();
  });

  it('have an action for every step and a compensation for every compensation the definitions name', () => {
    type Step = { name: string; action?: string; compensation?: string; parallel?: Step[] };
    const dir = fileURLToPath(new URL('../../../examples/', import.meta.url));
    const steps = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { steps: Step[] }).steps)
      .flatMap((s) => [s, ...(s.parallel ?? [])]);
    const named = (key: 'action' | 'compensation') =>
      [...new Set(steps.flatMap((s) => (s[key] ? [s[key]] : [])))].sort();
    const actionsNamed = steps
      .filter((s) => !s.parallel && !('condition' in s))
      .map((s) => s.action ?? s.name)
      .sort();
    expect(Object.keys(actions).sort()).toEqual([...new Set([...actionsNamed, ...named('action')])].sort());
    expect(Object.keys(compensations).sort()).toEqual(named('compensation'));
  });
});
