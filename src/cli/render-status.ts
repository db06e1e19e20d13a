/**
 * The human summary of an execution (`run`'s final summary and `status`): header, steps
 * table with attempts and durations, outputs, error and compensated steps.
 * @module
 */
import { elapsedMs } from '../clock.js';
import type { CompensationStatus, ExecutionStatus, StepStatus } from '../types.js';
import { TERMINAL_STATES } from '../types.js';
import { formatDuration, formatTime, jsonPreview, plural, printable, truncate } from './format.js';
import { type Style, statusColor } from './style.js';
import { renderPairs, renderTable } from './table.js';

/** Widest one-line JSON preview of an output. */
const OUTPUT_WIDTH = 100;

/** Milliseconds from start to finish (or until `now` while unfinished). */
export function executionDuration(status: ExecutionStatus, now = Date.now()): number {
  const end = status.completedAt ? status.completedAt.getTime() : now;
  return elapsedMs(status.startedAt.getTime(), end);
}

/**
 * Attempts its process cut short (a crash, a takeover; history code `INTERRUPTED`): the step ran
 * again, but not as a retry — interruptions use no retry budget and no retry rate counts them.
 */
function interruptedAttempts(step: StepStatus): number {
  return (step.history ?? []).filter((a) => a.error?.code === 'INTERRUPTED').length;
}

function stepNote(step: StepStatus): string {
  const notes: string[] = [];
  if (step.decision) notes.push(`took '${step.decision}'`);
  const interrupted = interruptedAttempts(step);
  const retries = Math.max(0, step.attempts - 1 - interrupted);
  if (retries > 0) notes.push(plural(retries, 'retry', 'retries'));
  if (interrupted > 0) notes.push(`${interrupted} interrupted`);
  if (step.status === 'waiting' && step.nextAttemptAt)
    notes.push(`retry at ${formatTime(step.nextAttemptAt)}`);
  if (step.error && step.status !== 'completed') notes.push(printable(step.error.code));
  const c = step.compensation;
  if (c?.status === 'completed') notes.push('compensated');
  else if (c?.status === 'running') notes.push(compensationRunningNote(c));
  else if (c?.status === 'failed') notes.push(compensationFailedNote(c));
  // Earlier visits (a jump ran the step again): only those still running or failed are news.
  for (const e of step.earlierCompensations ?? []) {
    if (e.status === 'running') notes.push(`visit ${e.visit}: ${compensationRunningNote(e)}`);
    else if (e.status === 'failed') notes.push(`visit ${e.visit}: ${compensationFailedNote(e)}`);
  }
  return notes.join('; ');
}

function errorCodeSuffix(c: CompensationStatus): string {
  return c.error ? `: ${printable(c.error.code)}` : '';
}

/** A running compensation, or one waiting for its retry: when that starts, as a waiting step's note. */
function compensationRunningNote(c: CompensationStatus): string {
  if (!c.nextAttemptAt) return 'compensating';
  return `compensation retry at ${formatTime(c.nextAttemptAt)}${errorCodeSuffix(c)}`;
}

function compensationFailedNote(c: CompensationStatus): string {
  return `compensation failed${errorCodeSuffix(c)}`;
}

function stepRow(step: StepStatus, style: Style, indent: string, isCondition: boolean): string[] {
  return [
    indent + step.name,
    statusColor(style, step.status),
    isCondition || step.attempts === 0 ? '-' : String(step.attempts),
    formatDuration(step.durationMs),
    stepNote(step),
  ];
}

/** The steps table: one row per top-level step, parallel branches indented below their step. */
export function renderStepsTable(status: ExecutionStatus, style: Style, indent = 2): string[] {
  const rows: string[][] = [];
  for (const step of status.steps) {
    rows.push(stepRow(step, style, '', step.decision !== undefined));
    for (const branch of step.branches ?? []) rows.push(stepRow(branch, style, '  ', false));
  }
  return renderTable(['STEP', 'STATUS', 'ATTEMPTS', 'DURATION', 'NOTE'], rows, {
    indent,
    header: style.dim,
  });
}

/** An error message as printed: its control characters escaped, cut to `width` columns if given. */
function message(text: string, width: number | undefined): string {
  return width === undefined ? printable(text) : truncate(printable(text), width);
}

/** The full summary of an execution, as lines. */
export function renderStatus(status: ExecutionStatus, style: Style, now = Date.now()): string[] {
  const finished = TERMINAL_STATES.has(status.status);
  const lines = [`${style.bold(`Execution ${status.id}`)}  ${statusColor(style, status.status)}`];
  const pairs: [string, string][] = [
    ['workflow', `${status.workflowId} (v${status.workflowVersion})`],
    // Pending: never started, waiting for a slot since it was accepted (its `startedAt`).
    ...(status.status === 'pending'
      ? ([
          ['accepted', formatTime(status.startedAt)],
          ['queued for', formatDuration(executionDuration(status, now))],
        ] as [string, string][])
      : ([
          ['started', formatTime(status.startedAt)],
          [finished ? 'duration' : 'running for', formatDuration(executionDuration(status, now))],
        ] as [string, string][])),
    ['steps', `${status.stepsCompleted}/${status.totalSteps} completed`],
  ];
  if (status.workerId) pairs.splice(1, 0, ['worker', printable(status.workerId)]);
  if (status.idempotencyKey) pairs.push(['idempotency key', printable(status.idempotencyKey)]);
  lines.push(...renderPairs(pairs), '', ...renderStepsTable(status, style));

  const outputs = Object.entries(status.outputData);
  if (outputs.length > 0) {
    lines.push('', style.bold('Outputs'));
    lines.push(...renderPairs(outputs.map(([name, value]) => [name, jsonPreview(value, OUTPUT_WIDTH)])));
  }
  if (status.error) {
    const where = status.error.step ? ` at step ${status.error.step}` : '';
    lines.push(
      '',
      style.bold('Error'),
      `  ${style.red(printable(status.error.code))}${where}: ${printable(status.error.message)}`,
    );
  }
  if (status.compensatedSteps.length > 0) {
    lines.push('', style.bold('Compensated'), `  ${status.compensatedSteps.join(', ')} (in this order)`);
  }
  for (const step of status.steps.flatMap((s) => [s, ...(s.branches ?? [])])) {
    const failed: [string, CompensationStatus][] = [];
    for (const e of step.earlierCompensations ?? [])
      if (e.status === 'failed') failed.push([`${step.name} (visit ${e.visit})`, e]);
    if (step.compensation?.status === 'failed') failed.push([step.name, step.compensation]);
    for (const [what, c] of failed) {
      const error = c.error;
      lines.push(
        `  ${style.red('compensation failed')} for ${what}${error ? `: ${printable(error.code)}: ${printable(error.message)}` : ''}`,
      );
    }
  }
  return lines;
}

/**
 * How an execution ended (or stands): `completed in 1.52 s`, `failed after 300 ms: CODE at step: message`.
 * @param messageWidth Terminal columns the error's message is cut to (whole when not given).
 */
export function outcomeText(
  status: ExecutionStatus,
  style: Style,
  now = Date.now(),
  messageWidth?: number,
): string {
  const took = formatDuration(executionDuration(status, now));
  const state = statusColor(style, status.status);
  if (status.status === 'completed') return `${state} in ${took}`;
  if (!TERMINAL_STATES.has(status.status)) return `still ${state} after ${took}`;
  const error = status.error
    ? `: ${printable(status.error.code)}${status.error.step ? ` at ${status.error.step}` : ''}: ${message(status.error.message, messageWidth)}`
    : '';
  return `${state} after ${took}${error}`;
}

/** A one-line verdict: `execution <id> completed in 1.52 s`. */
export function verdict(status: ExecutionStatus, style: Style, now = Date.now()): string {
  return `execution ${status.id} ${outcomeText(status, style, now)}`;
}
