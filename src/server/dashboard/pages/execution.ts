/**
 * Execution detail (`/executions/:id`): summary, the error, the step timeline (attempts,
 * retry waits, parallel branches, compensations), a table of steps with their outputs, the
 * input and output as formatted JSON (within a budget for the page, each cut value naming where
 * the API has it whole), and a cancel button while the execution can still be cancelled. While it is live the fragment (`/ui/executions/:id`) polls itself every second;
 * once terminal it stops.
 * @module
 */
import type { ExecutionStatus, StepStatus } from '../../../types.js';
import { type DashboardDeps, isLive } from '../context.js';
import {
  EXECUTION_PAGE_JSON_LIMIT,
  formatDuration,
  formatUtc,
  type JsonBudget,
  jsonBlock,
} from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { badge, versionLink } from '../layout.js';
import { buildTimeline, compensationState, renderTimeline } from '../timeline.js';
import { CANCEL_CONSEQUENCE, cancellable } from './cancel-confirm.js';
import { elapsed } from './executions.js';

/** A one-line outcome shown after a cancel request. */
export interface Notice {
  tone: 'ok' | 'warn';
  text: string;
}

/**
 * What a cancel answered, given the execution as it is after it. A cancel that did not cancel
 * says why as far as the status tells: finished already, or compensating for a failure (the
 * cancel form of a page shown while it ran, sent as a step failed); else it is left to the node
 * that runs it (README, `cancelWorkflow`).
 */
export function cancelNotice(cancelled: boolean, x: ExecutionStatus): Notice {
  if (cancelled) return { tone: 'ok', text: 'Cancelled.' };
  if (!isLive(x.status)) {
    return { tone: 'warn', text: `Not cancelled: the execution had already finished (${x.status}).` };
  }
  if (x.status === 'compensating') {
    return {
      tone: 'warn',
      text: 'Not cancelled: the execution is compensating for a failure (it ends failed once its compensations ran).',
    };
  }
  return {
    tone: 'warn',
    text: `Not cancelled: the execution is still ${x.status}; this node could not end it now.`,
  };
}

/** How the values of one page are shown: within the page's budget, naming where each is whole. */
interface ValueShow {
  budget: JsonBudget;
  /** `GET /v1/executions/<id>`: where every value of the page can be read whole. */
  route: string;
}

const shownValue = (value: unknown, show: ValueShow, path: string, label?: string): SafeHtml =>
  jsonBlock(value, label, { budget: show.budget, source: { route: show.route, path } });

function stepRows(steps: StepStatus[], show: ValueShow, prefix = 'steps', depth = 0): SafeHtml[] {
  return steps.flatMap((s, i) => [
    html`<tr class="${depth > 0 ? 'branch' : ''}" data-step="${s.name}">
  <td>${depth > 0 ? '└ ' : ''}<span class="mono">${s.name}</span>${s.decision ? html` <span class="muted">→ ${s.decision}</span>` : ''}</td>
  <td>${badge(s.status)}${s.compensation ? html` ${badge(`compensation-${compensationState(s.compensation)}`)}` : ''}</td>
  <td class="num">${s.attempts}</td>
  <td class="num">${formatDuration(s.durationMs)}</td>
  <td class="err">${s.error ? html`<span class="err-code">${s.error.code}</span> <span class="err-msg">${s.error.message}</span>` : ''}</td>
  <td>${s.output === undefined ? html`<span class="muted">–</span>` : html`<details><summary>output</summary>${shownValue(s.output, show, `${prefix}[${i}].output`)}</details>`}</td>
</tr>`,
    ...stepRows(s.branches ?? [], show, `${prefix}[${i}].branches`, depth + 1),
  ]);
}

function cancelForm(x: ExecutionStatus, csrf: string): SafeHtml {
  if (!cancellable(x)) return html``;
  const path = `/executions/${encodeURIComponent(x.id)}/cancel`;
  // With JavaScript, htmx POSTs the cancel once its dialog is confirmed (the token as a value
  // of its own, not a field: the form itself sends none); the answer replaces the detail out of
  // band: it comes once the compensations ran, and by then the detail's own refresh has replaced
  // the element this form was in. Without JavaScript the form GETs the confirmation page.
  return html`<form class="cancel" method="get" action="${path}" hx-post="${path}" hx-vals="${JSON.stringify({ _csrf: csrf })}" hx-swap="none" hx-confirm="Cancel execution ${x.id}? ${CANCEL_CONSEQUENCE}">
  <button type="submit" class="danger" id="cancel-execution">Cancel execution</button>
</form>`;
}

/**
 * The live fragment of one execution; with a `notice` (the answer to a cancel) it is swapped
 * out of band, into whatever `#exec-detail` the page holds by then — unless `outOfBand` is
 * false (the page a cancel without JavaScript returns to).
 */
export function executionDetail(
  deps: DashboardDeps,
  x: ExecutionStatus,
  csrf: string,
  notice?: Notice,
  outOfBand = true,
): SafeHtml {
  const now = deps.now();
  const live = isLive(x.status);
  const poll = live
    ? html` hx-get="/ui/executions/${encodeURIComponent(x.id)}" hx-trigger="every 1s" hx-swap="outerHTML"`
    : '';
  const timeline = buildTimeline(x, now);
  // The input and output are shown first out of the page's budget, then the steps' outputs in order.
  const show: ValueShow = {
    budget: { left: EXECUTION_PAGE_JSON_LIMIT, total: EXECUTION_PAGE_JSON_LIMIT },
    route: `GET /v1/executions/${x.id}`,
  };
  const input = shownValue(x.inputData, show, 'inputData', 'input');
  const output = shownValue(x.outputData, show, 'outputData', 'output');
  return html`<section id="exec-detail" data-status="${x.status}"${notice && outOfBand ? html` hx-swap-oob="true"` : ''}${poll}>
<div class="page-head">
  <h1>Execution <span class="mono">${x.id}</span></h1>
  <span id="exec-status">${badge(x.status)}</span>
  ${cancelForm(x, csrf)}
</div>
${notice ? html`<p class="notice notice-${notice.tone}" role="status" tabindex="-1">${notice.text}</p>` : ''}
<dl class="summary">
  <div><dt>Workflow</dt><dd><a href="/workflows/${encodeURIComponent(x.workflowId)}">${x.workflowId}</a> ${versionLink(x)}</dd></div>
  <div><dt>Started</dt><dd>${formatUtc(x.startedAt)}</dd></div>
  <div><dt>Finished</dt><dd>${formatUtc(x.completedAt)}</dd></div>
  <div><dt>Duration</dt><dd>${formatDuration(elapsed(x, now))}${live ? ' so far' : ''}${x.status === 'pending' ? ' (queued)' : ''}</dd></div>
  <div><dt>Steps</dt><dd>${x.stepsCompleted}/${x.totalSteps}</dd></div>
  <div><dt>Worker</dt><dd>${x.workerId ?? '–'}</dd></div>
  ${x.idempotencyKey ? html`<div><dt>Idempotency key</dt><dd class="mono">${x.idempotencyKey}</dd></div>` : ''}
  ${x.compensatedSteps.length > 0 ? html`<div><dt>Compensated</dt><dd>${x.compensatedSteps.join(' → ')}</dd></div>` : ''}
</dl>
${
  x.error
    ? html`<div class="error-box" role="alert"><span class="err-code">${x.error.code}</span>${x.error.step ? html` in step <span class="mono">${x.error.step}</span>` : ''}<div class="err-msg">${x.error.message}</div></div>`
    : ''
}
<section class="panel">
  <h2>Timeline</h2>
  ${timeline.rows.length === 0 ? html`<p class="muted empty">No step has started yet.</p>` : renderTimeline(timeline)}
</section>
<section class="panel">
  <h2>Steps</h2>
  <table class="steps"><thead><tr><th>Step</th><th>Status</th><th class="num">Attempts</th><th class="num">Duration</th><th>Error</th><th>Output</th></tr></thead>
  <tbody>${stepRows(x.steps, show)}</tbody></table>
</section>
<div class="cols">
  <section class="panel"><h2>Input</h2>${input}</section>
  <section class="panel"><h2>Output</h2>${output}</section>
</div>
</section>`;
}
