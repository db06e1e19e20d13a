/**
 * A step is exactly one kind (SPEC §3): keys of another kind on a step are compile errors, as
 * `defineWorkflow` refuses them at run time. Compiled by test/unit/consumer-types.test.ts.
 */
import type { StepDefinition } from '../../src/index.js';

export const kinds: StepDefinition[] = [
  { name: 'act', action: 'a', retry: true, compensation: 'undo', input: 'input' },
  // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
  { name: 'cond', condition: 'result.ok', then: 'act', else: 'par' },
  { name: 'par', parallel: [{ name: 'b1' }, { name: 'b2', retry: true }], timeout: 5 },
  // @ts-expect-error a conditional step runs no action: no retry
  { name: 'c2', condition: 'true', retry: true },
  // @ts-expect-error nor a compensation
  { name: 'c3', condition: 'true', compensation: 'undo' },
  // @ts-expect-error a jump needs a condition
  // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
  { name: 'j', then: 'act' },
  // @ts-expect-error a parallel step has no retry of its own (its branches may)
  { name: 'p2', parallel: [{ name: 'b3' }], retry: true },
  // @ts-expect-error nor an input
  { name: 'p3', parallel: [{ name: 'b4' }], input: 'input' },
  // @ts-expect-error branches do not nest
  { name: 'p4', parallel: [{ name: 'b5', parallel: [] }] },
];
