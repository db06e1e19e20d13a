// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDefinitionJson } from '../../../src/definition/canonical.js';
import { compilePlan } from '../../../src/definition/plan.js';
import type { ActionStepDefinition, PlanDefaults, StepDefinition } from '../../../src/definition/types.js';
import { validateDefinition } from '../../../src/definition/validate.js';
import { ValidationError } from '../../../src/errors.js';

const defaults: PlanDefaults = { retryAttempts: 3, retryDelay: 5, workflowTimeout: 300 };

const nameArb = fc.stringMatching(/^[A-Za-z0-9_.-]{1,24}$/).filter((name) => name !== '__proto__');
/** A workflow id: a name other than the URL dot segments '.' and '..'. */
const idArb = nameArb.filter((id) => id !== '.' && id !== '..');
const secondsArb = fc.double({ min: 0.001, max: 100_000, noNaN: true });
const inputs = [
  'input',
  'result',
  // `$STEP` becomes the first step's name: an expression may only name steps of its workflow.
  "{'text': steps['$STEP'].output.text}",
  "{'n': 1, 'list': [1, 'a']}",
  'result.count + 1',
];
const conditions = ["result.status == 'success'", 'result.count > 3', 'has(result.x) && input.ok', 'true'];

const retryArb = fc.oneof(
  fc.boolean(),
  fc
    .record(
      {
        maxAttempts: fc.nat(20),
        initialDelay: secondsArb,
        backoffCoefficient: fc.double({ min: 1, max: 10, noNaN: true }),
        maxDelay: secondsArb,
        nonRetryable: fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    )
    .map((r) =>
      r.initialDelay !== undefined && r.maxDelay !== undefined
        ? { ...r, maxDelay: Math.max(r.maxDelay, r.initialDelay) }
        : r,
    ),
);

const actionFieldsArb = fc.record(
  {
    action: nameArb,
    timeout: secondsArb,
    retry: retryArb,
    compensation: nameArb,
    input: fc.constantFrom(...inputs),
  },
  { requiredKeys: [] },
);

type Spec =
  | { kind: 'action'; fields: Omit<ActionStepDefinition, 'name'> }
  | { kind: 'condition'; condition: string; then: number | null; else: number | null }
  | {
      kind: 'parallel';
      branches: Omit<ActionStepDefinition, 'name'>[];
      timeout: number | null;
      compensation: string | null;
    };

const specArb: fc.Arbitrary<Spec> = fc.oneof(
  actionFieldsArb.map((fields) => ({ kind: 'action' as const, fields })),
  fc.record({
    kind: fc.constant('condition' as const),
    condition: fc.constantFrom(...conditions),
    then: fc.option(fc.nat()),
    else: fc.option(fc.nat()),
  }),
  fc.record({
    kind: fc.constant('parallel' as const),
    branches: fc.array(actionFieldsArb, { minLength: 1, maxLength: 4 }),
    timeout: fc.option(secondsArb),
    compensation: fc.option(nameArb),
  }),
);

/** Valid definitions: unique names, jumps to top-level steps, consistent retry delays. */
const validDefinitionArb = fc
  .tuple(
    fc.array(specArb, { minLength: 1, maxLength: 15 }),
    fc.uniqueArray(nameArb, { minLength: 80, maxLength: 80 }),
    fc.record({ timeout: secondsArb, description: fc.string() }, { requiredKeys: [] }),
    idArb,
  )
  .map(([specs, names, options, id]) => {
    let next = specs.length;
    const top = names.slice(0, specs.length);
    // An input names a step that has an output (a conditional step never has one); there is
    // one whenever an input is used, as only action and parallel steps carry inputs.
    const namedAt = Math.max(
      0,
      specs.findIndex((spec) => spec.kind !== 'condition'),
    );
    const named = top[namedAt]!;
    // A step at or before it (or a branch of it) reads it before it can have run: such an input
    // is refused unless a jump leads back, so those steps read nothing.
    const resolve = (fields: Omit<ActionStepDefinition, 'name'>, at: number) => {
      if (fields.input === undefined) return fields;
      if (at <= namedAt) {
        const { input: _unread, ...rest } = fields;
        return rest;
      }
      return { ...fields, input: fields.input.replace('$STEP', named) };
    };
    const steps: StepDefinition[] = specs.map((spec, i) => {
      const name = top[i]!;
      if (spec.kind === 'action') return { name, ...resolve(spec.fields, i) };
      if (spec.kind === 'condition') {
        return {
          name,
          condition: spec.condition,
          ...(spec.then === null ? {} : { then: top[spec.then % top.length]! }),
          ...(spec.else === null ? {} : { else: top[spec.else % top.length]! }),
        };
      }
      return {
        name,
        parallel: spec.branches.map((fields) => ({ name: names[next++]!, ...resolve(fields, i) })),
        ...(spec.timeout === null ? {} : { timeout: spec.timeout }),
        ...(spec.compensation === null ? {} : { compensation: spec.compensation }),
      };
    });
    return { id, steps, options };
  });

const countSteps = (steps: StepDefinition[]) =>
  steps.reduce((n, s) => n + 1 + (s.parallel !== undefined ? s.parallel.length : 0), 0);

/** Runs validation; returns the result or the ValidationError, fails on anything else. */
function attempt(id: unknown, steps: unknown, options?: unknown) {
  try {
    return validateDefinition(id, steps, options);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(typeof issue.path).toBe('string');
      expect(typeof issue.message).toBe('string');
      expect(issue.message.length).toBeGreaterThan(0);
    }
    return error;
  }
}

function expectNoPollution(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.keys(Array.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('validateDefinition properties', () => {
  it('accepts every generated valid definition and compiles it to a plan of steps + branches', () => {
    fc.assert(
      fc.property(validDefinitionArb, (def) => {
        const input = JSON.parse(JSON.stringify(def)) as typeof def;
        const valid = validateDefinition(input.id, input.steps, input.options);
        expect(valid).toEqual(def);
        expect(canonicalDefinitionJson(valid.steps, valid.options)).toBe(
          canonicalDefinitionJson(def.steps, def.options),
        );
        const plan = compilePlan({ ...valid, version: 1 }, defaults);
        expect(plan.steps).toHaveLength(def.steps.length);
        expect(plan.byName.size).toBe(countSteps(def.steps));
        for (const step of plan.steps) {
          if (step.kind === 'condition') {
            expect(step.thenIndex === null || plan.steps[step.thenIndex]?.parent === null).toBe(true);
            expect(step.elseIndex === null || plan.steps[step.elseIndex]?.parent === null).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('throws only ValidationError, with non-empty messages, for arbitrary junk', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (id, steps, options) => {
        attempt(id, steps, options);
        attempt('wf', [steps], options);
        attempt('wf', [{ name: 'a', parallel: [steps] }]);
      }),
      { numRuns: 300 },
    );
    expectNoPollution();
  });

  it('throws only ValidationError for JSON junk, including __proto__ keys', () => {
    const protoJson = fc
      .tuple(fc.jsonValue(), fc.constantFrom('__proto__', 'constructor', 'prototype'))
      .map(([value, key]) => JSON.parse(`{"${key}": ${JSON.stringify(value)}, "name": "a"}`) as unknown);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.jsonValue(), protoJson), { maxLength: 5 }),
        fc.jsonValue(),
        (steps, options) => {
          attempt('wf', steps, options);
        },
      ),
      { numRuns: 300 },
    );
    expectNoPollution();
  });

  it('throws only ValidationError for mutations of valid definitions; whatever passes still compiles', () => {
    const keys = [
      'name',
      'action',
      'timeout',
      'retry',
      'compensation',
      'input',
      'condition',
      'then',
      'else',
      'parallel',
      '__proto__',
      'constructor',
      'retyr',
      'maxAttempts',
      'initialDelay',
      'maxDelay',
    ];
    const mutationArb = fc.record({
      step: fc.nat(),
      branch: fc.option(fc.nat()),
      intoRetry: fc.boolean(),
      key: fc.constantFrom(...keys),
      value: fc.oneof(fc.jsonValue(), fc.constantFrom(-1, 0, '', 'nope', "result.'", 1e300, [], {})),
      remove: fc.boolean(),
    });
    fc.assert(
      fc.property(
        validDefinitionArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 5 }),
        (def, mutations) => {
          const steps = JSON.parse(JSON.stringify(def.steps)) as Record<string, unknown>[];
          for (const m of mutations) {
            let target = steps[m.step % steps.length]!;
            const branches = target.parallel;
            if (m.branch !== null && Array.isArray(branches) && branches.length > 0) {
              target = branches[m.branch % branches.length] as Record<string, unknown>;
            }
            if (target === null || typeof target !== 'object') continue;
            if (m.intoRetry && target.retry !== null && typeof target.retry === 'object') {
              target = target.retry as Record<string, unknown>;
            }
            if (m.remove) delete target[m.key];
            else
              Object.defineProperty(target, m.key, {
                value: m.value,
                enumerable: true,
                writable: true,
                configurable: true,
              });
          }
          const result = attempt(def.id, steps, def.options);
          if (!(result instanceof ValidationError)) {
            const plan = compilePlan({ ...result, version: 1 }, defaults);
            expect(plan.byName.size).toBe(countSteps(result.steps));
          }
        },
      ),
      { numRuns: 300 },
    );
    expectNoPollution();
  });
});
