/**
 * Live progress of `run`: one line per event of the execution being run (steps started,
 * completed, failed with the retry delay, condition decisions, compensations), and a line when
 * an execution resumed from an earlier run finishes. Events that arrive before the execution's
 * id is known are held and replayed once it is.
 * @module
 */
import type { StepDefinition } from '../definition/types.js';
import type { EventName, Listener, OrchestratorEvents } from '../events.js';
import type { Orchestrator } from '../orchestrator.js';
import { compensationNames } from './definition-file.js';
import { displayWidth, padToWidth } from './display-width.js';
import {
  ELAPSED_WIDTH,
  formatDelay,
  formatDuration,
  formatElapsed,
  plural,
  printable,
  truncate,
} from './format.js';
import type { Output } from './output.js';
import { statusColor } from './style.js';

type Payload = { [E in EventName]: { event: E; payload: OrchestratorEvents[E] } }[EventName];

const WATCHED = [
  'execution.started',
  'step.started',
  'step.completed',
  'step.failed',
  'step.cancelled',
  'step.decided',
  'execution.compensating',
  'compensation.started',
  'compensation.completed',
  'compensation.failed',
  'execution.finished',
] as const satisfies readonly EventName[];

/**
 * The notes of an attempt of a step or compensation: its retries and the attempts before it cut
 * short by their process (a crash, a takeover), which are no retries, as in the status.
 */
function attemptNotes(attempt: number, interruptions: number | undefined): string[] {
  const interrupted = interruptions ?? 0;
  const retry = attempt - 1 - interrupted;
  return [
    ...(retry > 0 ? [`retry ${retry}`] : []),
    ...(interrupted > 0 ? [`${interrupted} interrupted`] : []),
  ];
}

/**
 * How long a step or compensation took: the event's `durationMs` spans every attempt and the waits
 * between them, so after a first attempt the last one's own time (from `started`, when its start
 * was seen) is shown too.
 */
function tookText(attempt: number, started: number | undefined, durationMs: number): string {
  return attempt > 1 && started !== undefined
    ? `in ${formatDuration(performance.now() - started)} on attempt ${attempt} (${formatDuration(durationMs)} since the first)`
    : `in ${formatDuration(durationMs)}`;
}

/**
 * Terminal columns an error message is cut to on a progress line: a handler may throw a whole
 * response body (8192 characters are kept), and `run`'s summary, after the progress, shows it whole.
 */
export const PROGRESS_MESSAGE_WIDTH = 160;

/** An error's code and message as a progress line shows them. */
function errorText(error: { code: string; message: string }): string {
  return `${printable(error.code)}: ${truncate(printable(error.message), PROGRESS_MESSAGE_WIDTH)}`;
}

/** Labels of lines about no step: the execution's own, executions resumed, the saga. */
const OWN_LABELS = ['execution', 'resumed', 'saga'];

/**
 * Column width of the labels, in terminal columns: the widest step or branch label, or of
 * {@link OWN_LABELS}, up to 40 (a longer label overflows it).
 */
function labelWidth(steps: StepDefinition[]): number {
  let width = Math.max(...OWN_LABELS.map((label) => label.length));
  for (const step of steps) {
    width = Math.max(width, displayWidth(step.name));
    if (step.parallel !== undefined)
      for (const b of step.parallel) width = Math.max(width, displayWidth(`${step.name}/${b.name}`));
  }
  return Math.min(width, 40);
}

/** Prints progress lines for one execution (and finish lines for resumed ones). */
export class ProgressPrinter {
  private readonly out: Output;
  private readonly startedAt: number;
  private readonly width: number;
  private readonly compensations: Map<string, string>;
  private executionId: string | null = null;
  /** When each step's current attempt started (by label, `performance.now()`), to time a retried attempt alone. */
  private readonly attemptStarts = new Map<string, number>();
  /** The same for each compensation's current attempt. */
  private readonly compensationStarts = new Map<string, number>();
  private held: Payload[] = [];

  /**
   * @param startedAt When the run started, as a `performance.now()` reading: the times printed are
   *   on the process's monotonic clock, so a system clock set back meanwhile changes none of them.
   */
  constructor(out: Output, steps: StepDefinition[], startedAt = performance.now()) {
    this.out = out;
    this.startedAt = startedAt;
    this.width = labelWidth(steps);
    this.compensations = compensationNames(steps);
  }

  /** Subscribes to the orchestrator's events; returns a function that unsubscribes. */
  attach(orch: Orchestrator): () => void {
    const offs = WATCHED.map((event) => {
      const listener = ((payload: unknown) => this.receive({ event, payload } as Payload)) as Listener<
        typeof event
      >;
      orch.on(event, listener);
      return () => orch.off(event, listener);
    });
    return () => {
      for (const off of offs) off();
    };
  }

  /** Sets the execution to follow, and replays what it missed. */
  follow(executionId: string): void {
    this.executionId = executionId;
    const held = this.held;
    this.held = [];
    for (const item of held) this.receive(item);
  }

  /** Handles one event (public for tests). */
  receive(item: Payload): void {
    if (this.executionId === null) {
      this.held.push(item);
      return;
    }
    if (item.payload.executionId !== this.executionId) {
      if (item.event === 'execution.finished') {
        const p = item.payload;
        this.print(
          'resumed',
          `execution ${p.executionId} (${p.workflowId}) ${statusColor(this.out.style, p.status)} after ${formatDuration(p.durationMs)}`,
        );
      }
      return;
    }
    this.render(item);
  }

  private render(item: Payload): void {
    const { style } = this.out;
    switch (item.event) {
      case 'execution.started': {
        const p = item.payload;
        this.print('execution', `${p.resumed ? 'resumed' : 'started'} on ${printable(p.workerId)}`);
        return;
      }
      case 'step.started': {
        const p = item.payload;
        const notes = attemptNotes(p.attempt, p.interruptions);
        const note = notes.length > 0 ? style.yellow(` (${notes.join('; ')})`) : '';
        this.attemptStarts.set(this.label(p.step, p.parent), performance.now());
        this.print(this.label(p.step, p.parent), `started      attempt ${p.attempt}${note}`);
        return;
      }
      case 'step.completed': {
        const p = item.payload;
        const label = this.label(p.step, p.parent);
        const took = tookText(p.attempt, this.attemptStarts.get(label), p.durationMs);
        this.print(label, `${style.green('completed')}    ${took}`);
        return;
      }
      case 'step.failed': {
        const p = item.payload;
        const next =
          p.delayMs !== undefined
            ? style.yellow(`; retry in ${formatDelay(p.delayMs)}`)
            : style.red('; no retry');
        this.print(
          this.label(p.step, p.parent),
          `${style.red('failed')}       attempt ${p.attempt} after ${formatDuration(p.durationMs)}: ${errorText(p.error)}${next}`,
        );
        return;
      }
      case 'step.cancelled': {
        const p = item.payload;
        this.print(
          this.label(p.step, p.parent),
          `${style.yellow('stopped')}      attempt ${p.attempt} after ${formatDuration(p.durationMs)}: ${printable(p.error.code)}`,
        );
        return;
      }
      case 'step.decided': {
        const p = item.payload;
        this.print(p.step, `decided      '${p.decision}' -> ${p.next ?? 'next step'}`);
        return;
      }
      case 'execution.compensating': {
        const p = item.payload;
        const list = p.steps.length > 0 ? `: ${p.steps.join(', ')}` : ' (nothing to undo)';
        this.print(
          'saga',
          style.yellow(
            `${printable(p.error.code)}: compensating ${plural(p.steps.length, 'step')} in reverse order${list}`,
          ),
        );
        return;
      }
      case 'compensation.started': {
        const p = item.payload;
        const handler = this.compensations.get(p.step) ?? 'compensation';
        const notes = [`attempt ${p.attempt}`, ...attemptNotes(p.attempt, p.interruptions)];
        this.compensationStarts.set(this.label(p.step, p.parent), performance.now());
        this.print(
          this.label(p.step, p.parent),
          style.yellow(`compensating with ${handler} (${notes.join('; ')})`),
        );
        return;
      }
      case 'compensation.completed': {
        const p = item.payload;
        const label = this.label(p.step, p.parent);
        const took = tookText(p.attempt, this.compensationStarts.get(label), p.durationMs);
        this.print(label, `${style.yellow('compensated')}  ${took}`);
        return;
      }
      case 'compensation.failed': {
        const p = item.payload;
        const then = p.final
          ? 'giving up'
          : p.delayMs !== undefined
            ? `retry in ${formatDelay(p.delayMs)}`
            : 'will retry';
        this.print(
          this.label(p.step, p.parent),
          style.red(`compensation failed: ${errorText(p.error)}; ${then}`),
        );
        return;
      }
      case 'execution.finished':
        return;
    }
  }

  /** Prints the closing line (the execution's verdict). */
  finished(text: string): void {
    this.print('execution', text);
  }

  private label(step: string, parent: string | undefined): string {
    return parent ? `${parent}/${step}` : step;
  }

  private print(label: string, text: string): void {
    const elapsed = this.out.style.dim(
      formatElapsed(performance.now() - this.startedAt).padStart(ELAPSED_WIDTH),
    );
    this.out.line(`${elapsed}  ${padToWidth(label, this.width)}  ${text}`);
  }
}
