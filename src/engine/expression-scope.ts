/**
 * The variables condition and input expressions see (SPEC §3): `result` (the previous
 * step's output), `input` (the workflow input) and `steps.<name>.output`.
 * @module
 */
import type { ExpressionScope } from '../definition/types.js';
import type { ActiveExecution } from './active-execution.js';

export function expressionScope(ex: ActiveExecution): ExpressionScope {
  const steps: Record<string, { output: unknown }> = {};
  for (const name of Object.keys(ex.outputs)) steps[name] = { output: ex.outputs[name] };
  const last = ex.record.lastStep;
  return {
    result: last !== null && last in ex.outputs ? ex.outputs[last] : null,
    input: ex.record.input,
    steps,
  };
}
