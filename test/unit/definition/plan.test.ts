// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
import { describe, expect, it } from 'vitest';
import { canonicalDefinitionJson } from '../../../src/definition/canonical.js';
import { evaluateCondition } from '../../../src/definition/expression.js';
import { compilePlan, compileRetry } from '../../../src/definition/plan.js';
import type {
  PlanActionStep,
  PlanConditionStep,
  PlanDefaults,
  PlanParallelStep,
  StepDefinition,
  WorkflowOptions,
} from '../../../src/definition/types.js';
import { validateDefinition } from '../../../src/definition/validate.js';
import { ExpressionError } from '../../../src/errors.js';

const defaults: PlanDefaults = { retryAttempts: 3, retryDelay: 5, workflowTimeout: 300 };

const steps: StepDefinition[] = [
  { name: 'download', action: 'download_audio', timeout: 30, retry: true },
  { name: 'stt', timeout: 0.25, retry: { maxAttempts: 5, nonRetryable: ['ValidationError'] } },
  { name: 'check', condition: "result.status == 'success'", then: 'store', else: 'check' },
  {
    name: 'enrich',
    parallel: [
      { name: 'sentiment', input: "{'text': steps.stt.output.text}", timeout: 2 },
      { name: 'keywords' },
    ],
    timeout: 10,
    compensation: 'undo_enrich',
  },
  { name: 'store', compensation: 'delete_result', retry: false },
  { name: 'last', condition: 'true' },
];

const plan = () => compilePlan({ id: 'voice', version: 2, steps, options: {} }, defaults);

describe('compilePlan', () => {
  it('compiles action steps: ms timeouts, action defaulting to the name, compensation, index', () => {
    const p = plan();
    expect(p.workflowId).toBe('voice');
    expect(p.version).toBe(2);
    expect(p.steps.map((s) => s.kind)).toEqual([
      'action',
      'action',
      'condition',
      'parallel',
      'action',
      'condition',
    ]);
    const [download, stt] = p.steps as PlanActionStep[];
    expect(download).toMatchObject({
      name: 'download',
      action: 'download_audio',
      timeoutMs: 30_000,
      index: 0,
      parent: null,
    });
    expect(stt).toMatchObject({
      name: 'stt',
      action: 'stt',
      timeoutMs: 250,
      compensation: null,
      input: null,
      index: 1,
    });
    expect(p.steps[4]).toMatchObject({
      kind: 'action',
      compensation: 'delete_result',
      retry: null,
      timeoutMs: null,
    });
  });

  it('applies retry defaults: true → config defaults, object merges, false/absent → null', () => {
    const [download, stt] = plan().steps as PlanActionStep[];
    expect(download?.retry).toEqual({
      maxAttempts: 3,
      initialDelayMs: 1000,
      backoffCoefficient: 2,
      maxDelayMs: 5000,
      nonRetryable: [],
    });
    expect(stt?.retry).toEqual({
      maxAttempts: 5,
      initialDelayMs: 1000,
      backoffCoefficient: 2,
      maxDelayMs: 5000,
      nonRetryable: ['ValidationError'],
    });
    expect(compileRetry(false, defaults)).toBeNull();
    expect(compileRetry(undefined, defaults)).toBeNull();
    expect(
      compileRetry({ maxAttempts: 0, initialDelay: 0.5, backoffCoefficient: 3, maxDelay: 30 }, defaults),
    ).toEqual({
      maxAttempts: 0,
      initialDelayMs: 500,
      backoffCoefficient: 3,
      maxDelayMs: 30_000,
      nonRetryable: [],
    });
    // an explicit initialDelay above the default cap raises the cap to it
    expect(compileRetry({ initialDelay: 10 }, defaults)?.maxDelayMs).toBe(10_000);
    expect(compileRetry(true, { ...defaults, retryDelay: 0.5 })?.maxDelayMs).toBe(500);
  });

  it('fills the missing maxAttempts and maxDelay of a policy object from the config, not the seed values', () => {
    const config = { ...defaults, retryAttempts: 7, retryDelay: 2 };
    expect(compileRetry({ backoffCoefficient: 3 }, config)).toEqual({
      maxAttempts: 7,
      initialDelayMs: 1000,
      backoffCoefficient: 3,
      maxDelayMs: 2000,
      nonRetryable: [],
    });
  });

  it('resolves jump targets to top-level indexes, null when absent', () => {
    const p = plan();
    const check = p.steps[2] as PlanConditionStep;
    expect(check).toMatchObject({
      kind: 'condition',
      thenIndex: 4,
      elseIndex: 2,
      index: 2,
      parent: null,
      compensation: null,
    });
    expect(
      evaluateCondition(check.condition, { result: { status: 'success' }, input: null, steps: {} }),
    ).toBe(true);
    expect(p.steps[5]).toMatchObject({ thenIndex: null, elseIndex: null });
  });

  it('compiles parallel branches with parent and index of their parallel step', () => {
    const p = plan();
    const enrich = p.steps[3] as PlanParallelStep;
    expect(enrich).toMatchObject({
      kind: 'parallel',
      timeoutMs: 10_000,
      compensation: 'undo_enrich',
      index: 3,
      parent: null,
    });
    expect(enrich.branches.map((b) => [b.name, b.action, b.parent, b.index, b.timeoutMs])).toEqual([
      ['sentiment', 'sentiment', 'enrich', 3, 2000],
      ['keywords', 'keywords', 'enrich', 3, null],
    ]);
    const input = enrich.branches[0]?.input;
    expect(
      input?.evaluate({ result: null, input: null, steps: { stt: { output: { text: 'hi' } } } }),
    ).toEqual({ text: 'hi' });
  });

  it('indexes every step and branch by name', () => {
    const p = plan();
    expect([...p.byName.keys()].sort()).toEqual(
      ['check', 'download', 'enrich', 'keywords', 'last', 'sentiment', 'store', 'stt'].sort(),
    );
    expect(p.byName.get('keywords')).toBe((p.steps[3] as PlanParallelStep).branches[1]);
    expect(p.byName.get('store')).toBe(p.steps[4]);
  });

  it('takes the workflow timeout from the options, else from the defaults, in ms', () => {
    expect(plan().timeoutMs).toBe(300_000);
    expect(compilePlan({ id: 'w', version: 1, steps, options: { timeout: 1.5 } }, defaults).timeoutMs).toBe(
      1500,
    );
  });

  it('throws on a definition that did not pass validation', () => {
    const bad = [{ name: 'c', condition: 'result.' }] as StepDefinition[];
    expect(() => compilePlan({ id: 'w', version: 1, steps: bad, options: {} }, defaults)).toThrow(
      ExpressionError,
    );
    const unknown = [{ name: 'c', condition: 'true', then: 'nope' }] as StepDefinition[];
    expect(() => compilePlan({ id: 'w', version: 1, steps: unknown, options: {} }, defaults)).toThrow(
      /unknown jump target 'nope'/,
    );
  });

  it('compiles what validateDefinition returns', () => {
    const valid = validateDefinition('voice', JSON.parse(JSON.stringify(steps)));
    const p = compilePlan({ ...valid, version: 1 }, defaults);
    expect(p.byName.size).toBe(8);
  });
});

describe('canonicalDefinitionJson', () => {
  it('ignores key order and undefined values', () => {
    const a = canonicalDefinitionJson(
      [{ name: 'a', timeout: 1, retry: { maxAttempts: 2, initialDelay: 1 } }],
      {
        timeout: 5,
        description: 'x',
      },
    );
    const b = canonicalDefinitionJson(
      [{ retry: { initialDelay: 1, maxAttempts: 2 }, timeout: 1, name: 'a', input: undefined }],
      {
        description: 'x',
        timeout: 5,
      },
    );
    expect(a).toBe(b);
    expect(a).toBe(
      '{"options":{"description":"x","timeout":5},"steps":[{"name":"a","retry":{"initialDelay":1,"maxAttempts":2},"timeout":1}]}',
    );
  });

  it('changes when anything meaningful changes, including step order', () => {
    const base = canonicalDefinitionJson([{ name: 'a' }, { name: 'b' }], {});
    expect(canonicalDefinitionJson([{ name: 'b' }, { name: 'a' }], {})).not.toBe(base);
    expect(canonicalDefinitionJson([{ name: 'a' }, { name: 'b', timeout: 1 }], {})).not.toBe(base);
    expect(canonicalDefinitionJson([{ name: 'a' }, { name: 'b' }], { timeout: 1 })).not.toBe(base);
  });

  it('leaves out the defaults written out that compile alike under every config, and only those', () => {
    const configs: PlanDefaults[] = [defaults, { retryAttempts: 0, retryDelay: 0.5, workflowTimeout: 1 }];
    const sameStep = (a: StepDefinition, b: StepDefinition) => {
      expect(canonicalDefinitionJson([a], {})).toBe(canonicalDefinitionJson([b], {}));
      for (const config of configs) {
        const [pa, pb] = [a, b].map((s) =>
          compilePlan({ id: 'w', version: 1, steps: [s], options: {} }, config),
        );
        expect(pa?.steps).toEqual(pb?.steps);
      }
    };
    sameStep({ name: 'a' }, { name: 'a', action: 'a', retry: false });
    sameStep({ name: 'a', retry: true }, { name: 'a', retry: {} });
    sameStep({ name: 'a', retry: true }, { name: 'a', retry: { backoffCoefficient: 2, nonRetryable: [] } });
    sameStep({ name: 'a', retry: { maxDelay: 3 } }, { name: 'a', retry: { maxDelay: 3, initialDelay: 1 } });
    sameStep(
      { name: 'p', parallel: [{ name: 'b' }, { name: 'c', retry: true }] },
      {
        name: 'p',
        parallel: [
          { name: 'b', action: 'b' },
          { name: 'c', retry: { backoffCoefficient: 2 } },
        ],
      },
    );
    // An initialDelay without a maxDelay raises the cap to it: 1 s where retryDelay is 0.5 s.
    const slow = configs[1] as PlanDefaults;
    expect(compileRetry({ initialDelay: 1 }, slow)?.maxDelayMs).toBe(1000);
    expect(compileRetry(true, slow)?.maxDelayMs).toBe(500);
    const differ = (a: StepDefinition, b: StepDefinition) =>
      expect(canonicalDefinitionJson([a], {})).not.toBe(canonicalDefinitionJson([b], {}));
    differ({ name: 'a', retry: true }, { name: 'a', retry: { initialDelay: 1 } });
    differ({ name: 'a', retry: true }, { name: 'a', retry: { maxAttempts: 3 } });
    differ({ name: 'a', retry: true }, { name: 'a', retry: { maxDelay: 5 } });
    differ({ name: 'a', retry: true }, { name: 'a' });
    differ(
      { name: 'a', retry: { nonRetryable: ['A', 'B'] } },
      { name: 'a', retry: { nonRetryable: ['B', 'A'] } },
    );
    // White space between an expression's tokens is form; inside a string literal it is text.
    expect(canonicalDefinitionJson([{ name: 'a', condition: 'true' }], {})).toBe(
      canonicalDefinitionJson([{ name: 'a', condition: ' true' }], {}),
    );
    differ({ name: 'a', condition: "input.s == 'a'" }, { name: 'a', condition: "input.s == ' a'" });
    expect(canonicalDefinitionJson([{ name: 'a' }], {})).not.toBe(
      canonicalDefinitionJson([{ name: 'a' }], { timeout: 300 }),
    );
  });

  it('leaves those keys where they are not defaults (a stored version with keys this release does not know)', () => {
    const canonical = (steps: unknown[], options: unknown = {}) =>
      canonicalDefinitionJson(steps as StepDefinition[], options as WorkflowOptions);
    // Each with such a key, and without it.
    const kept: [unknown, unknown][] = [
      [
        { name: 'c', condition: 'true', action: 'c' },
        { name: 'c', condition: 'true' },
      ],
      [
        { name: 'p', parallel: [{ name: 'b' }], retry: false },
        { name: 'p', parallel: [{ name: 'b' }] },
      ],
      [
        { name: 'a', retry: { retry: false } },
        { name: 'a', retry: true },
      ],
      [
        { name: 'p', parallel: [{ name: 'b' }], backoffCoefficient: 2 },
        { name: 'p', parallel: [{ name: 'b' }] },
      ],
    ];
    for (const [withKey, without] of kept) expect(canonical([withKey])).not.toBe(canonical([without]));
    expect(canonical([{ name: 'a' }], { nonRetryable: [] })).toContain('"nonRetryable":[]');
  });

  it('leaves the steps it is given as they were', () => {
    const steps: StepDefinition[] = [{ name: 'a', action: 'a', retry: { backoffCoefficient: 2 } }];
    canonicalDefinitionJson(steps, {});
    expect(steps).toEqual([{ name: 'a', action: 'a', retry: { backoffCoefficient: 2 } }]);
  });
});
