/**
 * The step timeline of an execution: one row per step (branches of a parallel step as rows
 * under it, compensations after the failure), one bar per attempt, hatched segments for
 * retry waits. {@link buildTimeline} turns an `ExecutionStatus` into positioned segments (pure,
 * tested on its own); {@link renderTimeline} draws them as inline SVG with percentage
 * coordinates — no inline styles, so the Content-Security-Policy needs no `unsafe-inline`.
 * @module
 */
import type { ErrorInfo } from '../../errors.js';
import type { AttemptStatus, CompensationStatus, ExecutionStatus, StepStatus } from '../../types.js';
import { compensationRanks, type ShownCompensation } from './compensation-order.js';
import { isLive } from './context.js';
import { formatDuration, formatUtc } from './format.js';
import { html, type SafeHtml } from './html.js';

/** What a segment shows. */
export type SegmentKind = 'attempt' | 'wait' | 'span' | 'decision' | 'compensation';
/** How a segment ended (its colour). */
export type Outcome = 'ok' | 'error' | 'running' | 'waiting' | 'stopped';

/** One bar of a row, in epoch ms. */
export interface Segment {
  kind: SegmentKind;
  outcome: Outcome;
  from: number;
  to: number;
  /** Tooltip text. */
  title: string;
}

/** Kinds of row. */
export type RowKind = 'step' | 'parallel' | 'branch' | 'condition' | 'compensation';

/** One row of the timeline. */
export interface TimelineRow {
  kind: RowKind;
  name: string;
  status: string;
  attempts: number;
  durationMs?: number;
  segments: Segment[];
}

/** A timeline: rows and the time range they are drawn on. */
export interface Timeline {
  start: number;
  end: number;
  rows: TimelineRow[];
  /** When the step that failed the execution ended, if known. */
  failureAt: number | null;
}

const ms = (d: Date | undefined): number | undefined => (d ? d.getTime() : undefined);

function errorText(error: ErrorInfo | undefined): string {
  return error ? `: ${error.code}: ${error.message}` : '';
}

function attemptSegments(step: StepStatus, cap: number, live: boolean): Segment[] {
  const history: AttemptStatus[] = step.history ?? [];
  const out: Segment[] = [];
  history.forEach((h, i) => {
    const from = h.startedAt.getTime();
    const ended = ms(h.completedAt);
    const to = ended ?? cap;
    const outcome: Outcome = ended === undefined ? (live ? 'running' : 'stopped') : h.error ? 'error' : 'ok';
    const state = ended === undefined ? (live ? 'running' : 'stopped') : h.error ? 'failed' : 'ok';
    out.push({
      kind: 'attempt',
      outcome,
      from,
      to,
      title: `${step.name} · attempt ${h.attempt} · ${formatDuration(h.durationMs ?? to - from)} · ${state}${errorText(h.error)}`,
    });
    if (h.retryAt) {
      const next = history[i + 1];
      const retryAt = h.retryAt.getTime();
      const waitTo = next ? next.startedAt.getTime() : live ? retryAt : Math.min(retryAt, cap);
      if (waitTo > to) {
        out.push({
          kind: 'wait',
          outcome: 'waiting',
          from: to,
          to: waitTo,
          title: `${step.name} · retry wait ${formatDuration(waitTo - to)} before attempt ${h.attempt + 1}`,
        });
      }
    }
  });
  if (out.length === 0 && step.startedAt) {
    const from = step.startedAt.getTime();
    const to = ms(step.completedAt) ?? cap;
    out.push({
      kind: 'span',
      outcome: outcomeOfStatus(step.status, live),
      from,
      to,
      title: `${step.name} · ${formatDuration(to - from)} · ${step.status}${errorText(step.error)}`,
    });
  }
  return out;
}

function outcomeOfStatus(status: string, live: boolean): Outcome {
  if (status === 'completed') return 'ok';
  if (status === 'failed') return 'error';
  if (status === 'waiting') return 'waiting';
  return live && status === 'running' ? 'running' : 'stopped';
}

function stepRow(step: StepStatus, kind: RowKind, cap: number, live: boolean): TimelineRow {
  return {
    kind,
    name: step.name,
    status: step.status,
    attempts: step.attempts,
    ...(step.durationMs === undefined ? {} : { durationMs: step.durationMs }),
    segments: attemptSegments(step, cap, live),
  };
}

function conditionRow(step: StepStatus, cap: number): TimelineRow {
  const at = ms(step.completedAt) ?? ms(step.startedAt) ?? cap;
  return {
    kind: 'condition',
    name: step.name,
    status: step.status,
    attempts: step.attempts,
    segments: [
      {
        kind: 'decision',
        outcome: 'ok',
        from: at,
        to: at,
        title: `${step.name} · condition → ${step.decision}`,
      },
    ],
  };
}

function compensationRows(status: ExecutionStatus, cap: number, live: boolean): TimelineRow[] {
  // Each compensation with the name it shows: a looped step's earlier visits are named by visit.
  const found: (ShownCompensation & { name: string })[] = [];
  const add = (step: StepStatus) => {
    for (const e of step.earlierCompensations ?? [])
      found.push({ name: `${step.name} (visit ${e.visit})`, step: step.name, visit: e.visit, c: e });
    if (step.compensation)
      found.push({ name: step.name, step: step.name, visit: null, c: step.compensation });
  };
  for (const step of status.steps) {
    add(step);
    for (const branch of step.branches ?? []) add(branch);
  }
  const startOf = (x: { c: CompensationStatus }) => ms(x.c.startedAt) ?? Number.POSITIVE_INFINITY;
  // By start; compensations that started in the same millisecond (fast handlers) in the order
  // they ran (see compensation-order.ts).
  const rank = compensationRanks(found, status.compensatedSteps);
  return found
    .sort((a, b) => startOf(a) - startOf(b) || rank.get(a)! - rank.get(b)!)
    .map((step) => {
      const c = step.c;
      const from = ms(c.startedAt);
      return {
        kind: 'compensation' as const,
        name: step.name,
        status: `compensation ${compensationState(c)}`,
        attempts: c.attempts,
        ...(from === undefined ? {} : { durationMs: (ms(c.completedAt) ?? cap) - from }),
        segments: from === undefined ? [] : compensationSegments(step.name, c, from, cap, live),
      };
    });
}

/**
 * A compensation's state as the dashboard names it: `waiting` while it waits for its retry (its
 * status stays `running`, with the next attempt's time), as a step waiting for its retry is.
 */
export function compensationState(c: CompensationStatus): string {
  return c.status === 'running' && c.nextAttemptAt !== undefined ? 'waiting' : c.status;
}

/**
 * A compensation's bar; one waiting for its retry (its last attempt failed) is drawn waiting up to
 * now, not failed: it has not given up (when that attempt ended is not kept, so its own time cannot
 * be drawn apart, as a step's failed attempt is). Then, while its execution is live, its retry
 * wait up to the next attempt's time, as a step's.
 */
function compensationSegments(
  name: string,
  c: CompensationStatus,
  from: number,
  cap: number,
  live: boolean,
): Segment[] {
  const to = ms(c.completedAt) ?? cap;
  const retryAt = c.status === 'running' ? ms(c.nextAttemptAt) : undefined;
  if (retryAt === undefined) {
    const outcome: Outcome =
      c.status === 'completed' ? 'ok' : c.status === 'failed' ? 'error' : live ? 'running' : 'stopped';
    return [
      {
        kind: 'compensation',
        outcome,
        from,
        to,
        title: `undo ${name} · ${formatDuration(to - from)} · ${c.status}${errorText(c.error)}`,
      },
    ];
  }
  const out: Segment[] = [
    {
      kind: 'compensation',
      outcome: 'waiting',
      from,
      to,
      title: `undo ${name} · ${formatDuration(to - from)} · waiting to retry, attempt ${c.attempts} failed${errorText(c.error)}`,
    },
  ];
  if (live && retryAt > to) {
    out.push({
      kind: 'wait',
      outcome: 'waiting',
      from: to,
      to: retryAt,
      title: `undo ${name} · retry wait until ${formatUtc(retryAt)} before attempt ${c.attempts + 1}`,
    });
  }
  return out;
}

function failureTime(status: ExecutionStatus): number | null {
  const name = status.error?.step;
  if (status.status !== 'failed' && status.status !== 'compensating') return null;
  if (!name) return null;
  for (const step of status.steps) {
    for (const s of [step, ...(step.branches ?? [])]) {
      if (s.name !== name || s.status !== 'failed') continue;
      const last = s.history?.at(-1);
      return ms(last?.completedAt) ?? ms(s.completedAt) ?? null;
    }
  }
  return null;
}

/** Lays out an execution's steps on one time axis; `now` closes bars that are still open. */
export function buildTimeline(status: ExecutionStatus, now: number): Timeline {
  const live = isLive(status.status);
  const start = status.startedAt.getTime();
  const cap = live ? Math.max(now, start) : (ms(status.completedAt) ?? Math.max(now, start));
  const rows: TimelineRow[] = [];
  for (const step of status.steps) {
    if (step.decision !== undefined) rows.push(conditionRow(step, cap));
    else if (step.branches) {
      const row = stepRow(step, 'parallel', cap, live);
      row.segments = row.segments.map((s) => ({ ...s, kind: s.kind === 'attempt' ? 'span' : s.kind }));
      rows.push(row);
      for (const branch of step.branches) rows.push(stepRow(branch, 'branch', cap, live));
    } else rows.push(stepRow(step, 'step', cap, live));
  }
  rows.push(...compensationRows(status, cap, live));
  let end = cap;
  for (const row of rows) for (const s of row.segments) end = Math.max(end, s.to);
  return { start, end: Math.max(end, start + 1), rows, failureAt: failureTime(status) };
}

const pct = (t: number, tl: Timeline): string =>
  `${(((t - tl.start) / (tl.end - tl.start)) * 100).toFixed(3)}%`;

/** Narrowest bar drawn, in percent of the axis, so 1 ms attempts stay visible. */
const MIN_WIDTH = 0.35;

function segmentSvg(s: Segment, tl: Timeline): SafeHtml {
  const span = tl.end - tl.start;
  const x = ((s.from - tl.start) / span) * 100;
  if (s.kind === 'decision') {
    return html`<circle class="tl-decision" cx="${x.toFixed(3)}%" cy="11" r="5"><title>${s.title}</title></circle>`;
  }
  let width = Math.max(((s.to - s.from) / span) * 100, MIN_WIDTH);
  width = Math.min(width, Math.max(100 - x, MIN_WIDTH));
  const cls = `tl-bar tl-${s.kind} tl-${s.outcome}`;
  return html`<rect class="${cls}" x="${Math.min(x, 100 - MIN_WIDTH).toFixed(3)}%" y="4" width="${width.toFixed(3)}%" height="14" rx="2"><title>${s.title}</title></rect>`;
}

const TICKS = [0, 0.25, 0.5, 0.75, 1];

/**
 * The label of the axis tick at `ms`: as durations are written, but in hundredths of a millisecond
 * where the ticks lie under a millisecond apart (an execution of under 4 ms, common for fast
 * handlers), which whole milliseconds labelled '0 ms, 0 ms, 1 ms, 1 ms, 1 ms'.
 */
function tickLabel(ms: number, spanMs: number): string {
  return spanMs / (TICKS.length - 1) < 1 ? `${Number(ms.toFixed(2))} ms` : formatDuration(ms);
}

function grid(tl: Timeline): SafeHtml {
  const lines = TICKS.slice(1, -1).map(
    (f) => html`<line class="tl-grid" x1="${f * 100}%" x2="${f * 100}%" y1="0" y2="22"></line>`,
  );
  const fail =
    tl.failureAt === null
      ? ''
      : html`<line class="tl-fail" x1="${pct(tl.failureAt, tl)}" x2="${pct(tl.failureAt, tl)}" y1="0" y2="22"></line>`;
  return html`${lines}${fail}`;
}

function label(row: TimelineRow): SafeHtml {
  const prefix = row.kind === 'branch' ? '└ ' : row.kind === 'compensation' ? '↩ undo ' : '';
  const extra = row.kind === 'parallel' ? ' (parallel)' : row.kind === 'condition' ? ' (condition)' : '';
  const attempts = row.attempts > 1 && row.kind !== 'compensation' ? ` ×${row.attempts}` : '';
  return html`<span class="tl-label" title="${row.name} — ${row.status}">${prefix}<span class="tl-name">${row.name}</span><span class="tl-extra">${extra}${attempts}</span></span>`;
}

/** The timeline as HTML (a grid of rows, each with an SVG track). */
export function renderTimeline(tl: Timeline): SafeHtml {
  const axis = TICKS.map((f) => {
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    return html`<text x="${f * 100}%" y="14" text-anchor="${anchor}">${tickLabel(f * (tl.end - tl.start), tl.end - tl.start)}</text>`;
  });
  const rows = tl.rows.map(
    (
      row,
    ) => html`<div class="tl-row tl-row-${row.kind} tl-status-${row.status.replace(/\s+/g, '-')}" data-step="${row.name}">
  ${label(row)}<svg class="tl-track" width="100%" height="22" role="img" aria-label="${row.name}: ${row.status}">${grid(tl)}${row.segments.map((s) => segmentSvg(s, tl))}${row.segments.length === 0 ? html`<text class="tl-note" x="6" y="15">${row.status}</text>` : ''}</svg><span class="tl-dur">${row.durationMs === undefined ? '' : formatDuration(row.durationMs)}</span>
</div>`,
  );
  return html`<div class="timeline" data-start="${tl.start}" data-end="${tl.end}">
<svg class="tl-defs" width="0" height="0" aria-hidden="true"><defs><pattern id="tl-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="tl-hatch-bg" width="6" height="6"></rect><line class="tl-hatch-line" x1="0" y1="0" x2="0" y2="6"></line></pattern></defs></svg>
<div class="tl-row tl-axis"><span class="tl-label">step</span><svg class="tl-track" width="100%" height="22" aria-hidden="true">${axis}</svg><span class="tl-dur">duration</span></div>
${rows}
</div>
<ul class="tl-legend">
  <li><svg width="14" height="10" aria-hidden="true"><rect class="tl-bar tl-ok" width="14" height="10" rx="2"></rect></svg>attempt succeeded</li>
  <li><svg width="14" height="10" aria-hidden="true"><rect class="tl-bar tl-error" width="14" height="10" rx="2"></rect></svg>attempt failed</li>
  <li><svg width="14" height="10" aria-hidden="true"><rect class="tl-bar tl-wait" width="14" height="10" rx="2"></rect></svg>retry wait</li>
  <li><svg width="14" height="10" aria-hidden="true"><rect class="tl-bar tl-running" width="14" height="10" rx="2"></rect></svg>running</li>
  <li><svg width="14" height="10" aria-hidden="true"><rect class="tl-bar tl-compensation tl-ok" width="14" height="10" rx="2"></rect></svg>compensation</li>
  <li><svg width="14" height="10" aria-hidden="true"><line class="tl-fail" x1="7" x2="7" y1="0" y2="10"></line></svg>failure</li>
</ul>`;
}
