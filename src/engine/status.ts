/**
 * Builds the public `ExecutionStatus` from stored records and the plan (SPEC §4). The status
 * holds copies of the input, outputs and errors: the records may be a running execution's own
 * (or the memory store's), and a caller that changes the status it got must change neither.
 * @module
 */
import type { Plan, PlanStep } from '../definition/types.js';
import { copyJson } from '../json-value.js';
import type { ExecutionRecord, StepRecord } from '../store/store.js';
import type { AttemptStatus, ExecutionStatus, StepState, StepStatus } from '../types.js';
import { TERMINAL_STATES } from '../types.js';

const date = (ms: number | null | undefined): Date | undefined => (ms == null ? undefined : new Date(ms));

function stepStatus(rec: StepRecord | undefined, name: string, terminal: boolean): StepStatus {
  if (!rec) return { name, status: terminal ? 'skipped' : 'pending', attempts: 0 };
  const s: StepStatus = { name, status: rec.status, attempts: rec.attempts };
  if (rec.startedAt != null) s.startedAt = new Date(rec.startedAt);
  if (rec.completedAt != null) s.completedAt = new Date(rec.completedAt);
  if (rec.durationMs != null) s.durationMs = rec.durationMs;
  if (rec.status === 'completed' && rec.output !== undefined && rec.output !== null)
    s.output = copyJson(rec.output);
  if (rec.error) s.error = { ...rec.error };
  if (rec.decision) s.decision = rec.decision;
  if (rec.nextAttemptAt != null && rec.status === 'waiting') s.nextAttemptAt = new Date(rec.nextAttemptAt);
  if (rec.history.length > 0) {
    s.history = rec.history.map((h) => {
      const a: AttemptStatus = { attempt: h.attempt, startedAt: new Date(h.startedAt) };
      if (h.completedAt != null) {
        a.completedAt = new Date(h.completedAt);
        a.durationMs = h.completedAt - h.startedAt;
      }
      if (h.error) a.error = { ...h.error };
      if (h.retryAt != null) a.retryAt = new Date(h.retryAt);
      return a;
    });
  }
  if (rec.compensation) {
    const c = rec.compensation;
    s.compensation = { status: c.status, attempts: c.attempts, startedAt: new Date(c.startedAt) };
    if (c.completedAt != null) s.compensation.completedAt = date(c.completedAt);
    if (c.error) s.compensation.error = { ...c.error };
  }
  return s;
}

function planStepStatus(step: PlanStep, steps: Map<string, StepRecord>, terminal: boolean): StepStatus {
  const s = stepStatus(steps.get(step.name), step.name, terminal);
  if (step.kind === 'parallel')
    s.branches = step.branches.map((b) => stepStatus(steps.get(b.name), b.name, terminal));
  return s;
}

/** Status of an execution; `plan` may be missing if its definition was lost (steps then come from records). */
export function buildStatus(
  record: ExecutionRecord,
  steps: Map<string, StepRecord>,
  plan: Plan | undefined,
  workerId?: string,
): ExecutionStatus {
  const terminal = TERMINAL_STATES.has(record.status);
  let list: StepStatus[];
  if (plan) {
    list = plan.steps.map((p) => planStepStatus(p, steps, terminal));
  } else {
    list = [...steps.values()]
      .filter((s) => s.parent === null && s.of === undefined)
      .map((s) => stepStatus(s, s.name, terminal));
  }
  const outputData: Record<string, unknown> = {};
  let stepsCompleted = 0;
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    if (s.status !== 'completed') continue;
    stepsCompleted++;
    // Every completed step that has an output is in outputData, with null when it returned none
    // (SPEC §4); a condition has none.
    if (s.output !== undefined) outputData[s.name] = s.output;
    else if (plan && plan.steps[i]?.kind !== 'condition') outputData[s.name] = null;
  }
  const status: ExecutionStatus = {
    id: record.id,
    workflowId: record.workflowId,
    workflowVersion: record.workflowVersion,
    status: record.status,
    startedAt: new Date(record.startedAt ?? record.createdAt),
    stepsCompleted,
    totalSteps: plan ? plan.steps.length : list.length,
    inputData: copyJson(record.input),
    outputData,
    steps: list,
    compensatedSteps: [...record.compensatedSteps],
  };
  if (record.completedAt != null) status.completedAt = new Date(record.completedAt);
  if (record.error) status.error = { ...record.error };
  const worker = workerId ?? record.workerId;
  if (worker) status.workerId = worker;
  if (record.idempotencyKey) status.idempotencyKey = record.idempotencyKey;
  return status;
}

/** Step states that end a step's current visit. */
export const FINAL_STEP_STATES: ReadonlySet<StepState> = new Set([
  'completed',
  'failed',
  'cancelled',
  'skipped',
]);
