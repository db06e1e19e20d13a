/**
 * The examples' simulation flags refuse what they would have ignored: unknown input keys of a
 * first step, unknown `EXAMPLE_` variables, values of the wrong type; each error names the flag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { orderActions, orderCompensations } from '../../../examples/services/orders.js';
import { pipelineActions, pipelineCompensations } from '../../../examples/services/pipeline.js';
import { registrationActions, registrationCompensations } from '../../../examples/services/registration.js';
import { firstStepFlags, flagsFor } from '../../../examples/services/simulation.js';
import { voiceActions, voiceCompensations } from '../../../examples/services/voice.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');
interface StepJson {
  name: string;
  action?: string;
  condition?: string;
  compensation?: string;
  parallel?: StepJson[];
}

const ctx = { outputs: {} };
const noop = () => null;
/** A workflow of steps `x` and `y`, `x` undone by `undo_x`. */
const workflow = { actions: { x: noop, y: noop }, compensations: { undo_x: noop } };

describe('example simulation flag checks', () => {
  it('a first step refuses an input key its workflow does not take, listing the valid ones', () => {
    expect(() => firstStepFlags({ a: 1, fails: 'x' }, ctx, ['a'], workflow, {})).toThrow(
      /^unknown input key 'fails'; this workflow takes a, fast, latency, failures, fail /,
    );
    expect(firstStepFlags({ a: 1, fail: 'x' }, ctx, ['a'], workflow, {})).toEqual({
      latency: 1,
      failures: {},
      fail: ['x'],
    });
    expect(firstStepFlags({ fail: ['y', 'undo_x'], failures: { x: 2 } }, ctx, [], workflow, {})).toEqual({
      latency: 1,
      failures: { x: 2 },
      fail: ['y', 'undo_x'],
    });
  });

  it.each([
    [{ fail: 'z' }, {}, "fail names 'z', no step or compensation of this workflow; it has x, y, undo_x"],
    [{ fail: ['x', 'undo_y'] }, {}, "fail names 'undo_y', no step or compensation"],
    [{ failures: { undo_x: 1 } }, {}, "failures names 'undo_x', no step of this workflow; it has x, y"],
    [{}, { EXAMPLE_FAIL: 'x,zz' }, "EXAMPLE_FAIL names 'zz', no step or compensation"],
    [{}, { EXAMPLE_FAILURES: '{"q":1}' }, "EXAMPLE_FAILURES names 'q', no step of this workflow"],
  ])(
    'a first step refuses %j with env %j naming no step of its workflow (a misspelt name ran no failure)',
    (input, env, message) => {
      let error: unknown;
      try {
        firstStepFlags(input, ctx, [], workflow, env);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'UNKNOWN_FLAG' });
      expect((error as Error).message).toContain(message);
    },
  );

  it.each([
    [{ fast: 'yes' }, {}, /^fast must be true or false, got "yes"$/],
    [{ latency: -1 }, {}, /^latency must be a number of 0 or more, got -1$/],
    [{ failures: { a: 'two' } }, {}, /^failures must be an object of step names/],
    [{ fail: [1] }, {}, /^fail must be a step or compensation name or a list of them, got \[1\]$/],
    [{}, { EXAMPLE_FAST: 'yes' }, /^EXAMPLE_FAST must be 1, true, 0 or false, got "yes"$/],
    [{}, { EXAMPLE_LATENCY: 'slow' }, /^EXAMPLE_LATENCY must be a number of 0 or more, got "slow"$/],
    [{}, { EXAMPLE_FAILURES: '[2]' }, /^EXAMPLE_FAILURES must be an object of step names/],
    [
      {},
      { EXAMPLE_FAILS: 'a' },
      /^unknown environment variable EXAMPLE_FAILS; the examples read EXAMPLE_FAST, /,
    ],
  ])('refuses %j with env %j, naming the flag', (input, env, message) => {
    expect(() => flagsFor(input, ctx, env)).toThrow(message);
  });
});

describe("each example's handlers, by which a first step checks fail and failures", () => {
  it.each([
    ['voice-transcription', voiceActions, voiceCompensations],
    ['user-registration', registrationActions, registrationCompensations],
    ['data-pipeline', pipelineActions, pipelineCompensations],
    ['order-saga', orderActions, orderCompensations],
  ])('are those of the steps and compensations of examples/%s.json', (file, actions, compensations) => {
    const definition = JSON.parse(readFileSync(join(EXAMPLES, `${file}.json`), 'utf8')) as {
      steps: StepJson[];
    };
    const steps: string[] = [];
    const undo: string[] = [];
    const walk = (list: StepJson[]) => {
      for (const step of list) {
        if (step.parallel) walk(step.parallel);
        else if (step.condition === undefined) steps.push(step.action ?? step.name);
        if (step.compensation) undo.push(step.compensation);
      }
    };
    walk(definition.steps);
    expect(Object.keys(actions).sort()).toEqual(steps.sort());
    expect(Object.keys(compensations).sort()).toEqual(undo.sort());
  });
});
