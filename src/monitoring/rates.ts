/**
 * The rates of SPEC §5 from execution counts, shared by the live metrics and the CLI's store-read
 * ones: success = completed / finished; retry = steps that needed a retry / steps run;
 * compensation = executions that compensated / finished. Each is a fraction 0..1 (0 with nothing
 * to divide by).
 * @module
 */
import type { ExecutionState } from '../types.js';

/** Counts the rates are taken from. */
export interface RateInputs {
  byStatus: Record<ExecutionState, number>;
  /** Executions that compensated, those compensating now included. */
  compensated: number;
  stepsRun: number;
  stepsRetried: number;
}

const fraction = (part: number, whole: number) => (whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 0);

export function executionRates(c: RateInputs): {
  successRate: number;
  retryRate: number;
  compensationRate: number;
} {
  const s = c.byStatus;
  const finished = s.completed + s.failed + s.cancelled;
  return {
    successRate: fraction(s.completed, finished),
    retryRate: fraction(c.stepsRetried, c.stepsRun),
    // Over finished executions: one still compensating is not counted yet.
    compensationRate: fraction(c.compensated - s.compensating, finished),
  };
}
