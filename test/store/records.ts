/**
 * Builders of store records for the store tests: every call returns fresh objects.
 * @module
 */
import type { ExecutionRecord, StepRecord } from '../../src/store/store.js';

let counter = 0;

/** A pending, unowned execution; `overrides` replace fields. */
export function makeExecution(overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  counter++;
  return {
    id: `exec-${String(counter).padStart(6, '0')}`,
    workflowId: 'wf',
    workflowVersion: 1,
    status: 'pending',
    input: { n: counter },
    error: null,
    outcome: null,
    createdAt: 1_000 + counter,
    startedAt: null,
    completedAt: null,
    workerId: null,
    idempotencyKey: null,
    cursor: 0,
    transitions: 0,
    lastStep: null,
    deadlineAt: null,
    cancelRequested: false,
    compensated: false,
    stepsRun: 0,
    stepsRetried: 0,
    completionSeq: 0,
    compensatedSteps: [],
    owner: null,
    leaseUntil: null,
    epoch: 0,
    ...overrides,
  };
}

/** A pending step record of `executionId`; `overrides` replace fields. */
export function makeStep(executionId: string, name: string, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    executionId,
    name,
    parent: null,
    status: 'pending',
    attempts: 0,
    visits: 0,
    startedAt: null,
    completedAt: null,
    durationMs: null,
    output: null,
    error: null,
    nextAttemptAt: null,
    timerAt: null,
    completionSeq: null,
    decision: null,
    history: [],
    compensation: null,
    ...overrides,
  };
}

/**
 * A running execution at its first step, held by `owner` until `leaseUntil` (ms): what a node
 * that crashed leaves in the store. `overrides` replace fields.
 */
export function heldExecution(
  id: string,
  workflowId: string,
  owner: string,
  leaseUntil: number,
  overrides: Partial<ExecutionRecord> = {},
): ExecutionRecord {
  const now = Date.now();
  return makeExecution({
    id,
    workflowId,
    status: 'running',
    startedAt: now,
    createdAt: now,
    deadlineAt: now + 300_000,
    owner,
    leaseUntil,
    epoch: 1,
    ...overrides,
  });
}

/**
 * A pending execution created at `now` (ms) that another node placed on `owner`, with a lease until
 * `leaseUntil` and the default workflow timeout: what a node finds placed on it. `overrides`
 * replace fields.
 */
export function placedExecution(
  id: string,
  workflowId: string,
  owner: string,
  now: number,
  leaseUntil: number,
  overrides: Partial<ExecutionRecord> = {},
): ExecutionRecord {
  return heldExecution(id, workflowId, owner, leaseUntil, {
    status: 'pending',
    startedAt: null,
    createdAt: now,
    deadlineAt: now + 300_000,
    ...overrides,
  });
}
