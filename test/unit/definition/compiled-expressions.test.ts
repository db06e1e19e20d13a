// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * A definition's expressions compile once: validation compiles them, and the plan built from the
 * validated definition reuses the same compiled objects (see `withCompiledExpressions`); the same
 * expression twice in one definition compiles once too. Checked by identity, not by timing.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression, withCompiledExpressions } from '../../../src/definition/expression.js';
import { compilePlan } from '../../../src/definition/plan.js';
import type { PlanActionStep, PlanConditionStep, PlanDefaults } from '../../../src/definition/types.js';
import { validateCompiling } from '../../../src/definition/validate.js';
import { createOrchestrator } from '../../../src/index.js';

const defaults: PlanDefaults = { retryAttempts: 3, retryDelay: 5, workflowTimeout: 300 };
const INPUT = "{'text': steps.a.output.text}";

describe('compiled expressions shared by validation and plan', () => {
  it('validation returns what it compiled, and the plan reuses it instead of compiling again', () => {
    const expressions = new Map();
    const valid = validateCompiling(
      'w',
      [
        { name: 'a' },
        { name: 'b', input: INPUT },
        { name: 'c', input: INPUT },
        { name: 'check', condition: "steps.a.output.text == 'x'", then: 'a' },
      ],
      undefined,
      expressions,
    );
    // Two distinct sources (the input twice, the condition once): two entries.
    expect(expressions.size).toBe(2);
    const plan = withCompiledExpressions(expressions, () =>
      compilePlan({ id: 'w', version: 1, steps: valid.steps, options: valid.options }, defaults),
    );
    const [, b, c, check] = plan.steps as [PlanActionStep, PlanActionStep, PlanActionStep, PlanConditionStep];
    expect(b.input).not.toBeNull();
    expect(b.input).toBe(c.input);
    expect([...expressions.values()]).toContain(b.input);
    expect([...expressions.values()]).toContain(check.condition);
  });

  it('compiles afresh outside a shared scope, and a condition is not taken for an input of the same text', () => {
    expect(compileExpression(INPUT)).not.toBe(compileExpression(INPUT));
    const shared = new Map();
    withCompiledExpressions(shared, () => {
      expect(compileExpression('true')).toBe(compileExpression('true'));
      expect(compileExpression('true', 'boolean')).not.toBe(compileExpression('true'));
    });
    expect(shared.size).toBe(2);
    // The scope ends with the call, also when it throws.
    expect(() => withCompiledExpressions(shared, () => compileExpression('1 +'))).toThrow();
    expect(compileExpression('true')).not.toBe(compileExpression('true'));
  });

  it('a workflow defined through the engine runs with the expressions validation compiled', async () => {
    const orch = await createOrchestrator({
      store: 'memory',
      actions: { a: () => ({ text: 'hi' }), b: (input: unknown) => input },
    });
    try {
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b', input: INPUT }]);
      const id = await orch.workflowEngine.executeWorkflow('w', {});
      const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
      expect(status.outputData.b).toEqual({ text: 'hi' });
    } finally {
      await orch.close();
    }
  });
});
