/**
 * Builds the public `ExecutionStatus` from stored records and the plan (SPEC §4). The status
 * holds copies of the input, outputs and errors: the records may be a running execution's own
 * (or the memory store's), and a caller that changes the status it got must change neither.
 * @module
 */
import { elapsedMs } from '../clock.js';
import type { Plan, PlanStep } from '../definition/types.js';
import type { ErrorInfo } from '../errors.js';
import { copyJson } from '../json-value.js';
import type { AttemptRecord, CompensationRecord, ExecutionRecord, StepRecord } from '../store/store.js';
import type { AttemptStatus, CompensationStatus, ExecutionStatus, StepState, StepStatus } from '../types.js';
import { TERMINAL_STATES } from '../types.js';

/**
 * A copy of a recorded error with its keys in one order, `{ code, message, step }`, whatever order
 * the store kept them in (PostgreSQL's jsonb sorts an object's keys, shortest first), so that the
 * status reads the same as JSON text from every store, before and after a restart.
 */
function errorCopy(error: ErrorInfo): ErrorInfo {
  const { code, message, step, ...rest } = error;
  return step === undefined ? { code, message, ...rest } : { code, message, step, ...rest };
}

const date = (ms: number | null | undefined): Date | undefined => (ms == null ? undefined : new Date(ms));

/**
 * The status of one attempt. A closed attempt without an error or retry (nearly all of them) is
 * one literal of its final shape, with its keys in the order the general path adds them: keys added
 * one by one past a literal's own go to a separate property store, allocated and grown apart.
 */
function attemptStatus(h: AttemptRecord): AttemptStatus {
  if (h.completedAt != null && !h.error && h.retryAt == null) {
    return {
      attempt: h.attempt,
      startedAt: new Date(h.startedAt),
      completedAt: new Date(h.completedAt),
      durationMs: elapsedMs(h.startedAt, h.completedAt),
    };
  }
  const a: AttemptStatus = { attempt: h.attempt, startedAt: new Date(h.startedAt) };
  if (h.completedAt != null) {
    a.completedAt = new Date(h.completedAt);
    a.durationMs = elapsedMs(h.startedAt, h.completedAt);
  }
  if (h.error) a.error = errorCopy(h.error);
  if (h.retryAt != null) a.retryAt = new Date(h.retryAt);
  return a;
}

function stepStatus(rec: StepRecord | undefined, name: string, terminal: boolean): StepStatus {
  if (!rec) return { name, status: terminal ? 'skipped' : 'pending', attempts: 0 };
  // A step that completed with an output, as nearly every one does: one literal of its final shape,
  // the keys in the order the general path below adds them (see `attemptStatus`).
  if (
    rec.status === 'completed' &&
    rec.startedAt != null &&
    rec.completedAt != null &&
    rec.durationMs != null &&
    rec.output !== undefined &&
    rec.output !== null &&
    !rec.error &&
    !rec.decision &&
    rec.history.length > 0 &&
    !rec.compensation
  ) {
    return {
      name,
      status: rec.status,
      attempts: rec.attempts,
      startedAt: new Date(rec.startedAt),
      completedAt: new Date(rec.completedAt),
      durationMs: rec.durationMs,
      output: copyJson(rec.output),
      history: rec.history.map(attemptStatus),
    };
  }
  const s: StepStatus = { name, status: rec.status, attempts: rec.attempts };
  if (rec.startedAt != null) s.startedAt = new Date(rec.startedAt);
  if (rec.completedAt != null) s.completedAt = new Date(rec.completedAt);
  if (rec.durationMs != null) s.durationMs = rec.durationMs;
  if (rec.status === 'completed' && rec.output !== undefined && rec.output !== null)
    s.output = copyJson(rec.output);
  if (rec.error) s.error = errorCopy(rec.error);
  if (rec.decision) s.decision = rec.decision;
  if (rec.nextAttemptAt != null && rec.status === 'waiting') s.nextAttemptAt = new Date(rec.nextAttemptAt);
  if (rec.history.length > 0) s.history = rec.history.map(attemptStatus);
  if (rec.compensation) s.compensation = compensationStatus(rec.compensation);
  return s;
}

function compensationStatus(c: CompensationRecord): CompensationStatus {
  const out: CompensationStatus = {
    status: c.status,
    attempts: c.attempts,
    startedAt: new Date(c.startedAt),
  };
  if (c.completedAt != null) out.completedAt = date(c.completedAt);
  if (c.error) out.error = errorCopy(c.error);
  if (c.nextAttemptAt != null && c.status === 'running') out.nextAttemptAt = new Date(c.nextAttemptAt);
  return out;
}

/**
 * The kept records of earlier completed visits with a compensation (`<name>#<visit>`, see
 * `keepCompletedVisit`), by step name, oldest first; null when there are none (no jump came back).
 */
function earlierVisits(steps: Map<string, StepRecord>): Map<string, StepRecord[]> | null {
  let byStep: Map<string, StepRecord[]> | null = null;
  for (const rec of steps.values()) {
    if (rec.of === undefined || !rec.compensation) continue;
    byStep ??= new Map();
    const list = byStep.get(rec.of) ?? [];
    list.push(rec);
    byStep.set(rec.of, list);
  }
  for (const list of byStep?.values() ?? []) list.sort((a, b) => a.visits - b.visits);
  return byStep;
}

function withEarlierVisits(s: StepStatus, earlier: Map<string, StepRecord[]> | null): StepStatus {
  const list = earlier?.get(s.name);
  if (list) {
    s.earlierCompensations = list.map((rec) => ({
      visit: rec.visits,
      ...compensationStatus(rec.compensation as CompensationRecord),
    }));
  }
  return s;
}

function planStepStatus(
  step: PlanStep,
  steps: Map<string, StepRecord>,
  terminal: boolean,
  earlier: Map<string, StepRecord[]> | null,
): StepStatus {
  const s = withEarlierVisits(stepStatus(steps.get(step.name), step.name, terminal), earlier);
  if (step.kind === 'parallel')
    s.branches = step.branches.map((b) =>
      withEarlierVisits(stepStatus(steps.get(b.name), b.name, terminal), earlier),
    );
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
    const earlier = earlierVisits(steps);
    list = plan.steps.map((p) => planStepStatus(p, steps, terminal, earlier));
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
  const worker = workerId ?? record.workerId;
  // A finished execution without an error or key, as most are: one literal of its final shape (see
  // `attemptStatus`), the keys in the order of the general path below.
  if (record.completedAt != null && !record.error && worker && !record.idempotencyKey) {
    return {
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
      completedAt: new Date(record.completedAt),
      workerId: worker,
    };
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
  if (record.error) status.error = errorCopy(record.error);
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
