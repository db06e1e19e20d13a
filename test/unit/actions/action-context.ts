/**
 * Shared by the `http` action tests: a step context for calling an action directly, and the
 * `OrchestratorError` a call fails with.
 * @module
 */
import { expect } from 'vitest';
import { OrchestratorError } from '../../../src/errors.js';
import type { StepContext } from '../../../src/types.js';

/** The context of attempt 1 of step `call` of execution `exec_1`. */
export function ctx(signal: AbortSignal = new AbortController().signal): StepContext {
  return {
    executionId: 'exec_1',
    workflowId: 'wf',
    stepName: 'call',
    attempt: 1,
    signal,
    idempotencyKey: 'exec_1:call',
    outputs: {},
  };
}

/** The error `promise` rejects with, checked to be an `OrchestratorError`. */
export async function failure(promise: Promise<unknown>): Promise<OrchestratorError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrchestratorError);
  return error as OrchestratorError;
}
