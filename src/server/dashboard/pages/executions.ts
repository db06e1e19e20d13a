/**
 * Executions (`/executions`): newest first, filtered by status and workflow, paginated with
 * limit/offset and `countExecutions`. The table is a fragment (`/ui/executions`) that htmx
 * polls every 2 s with the same query, and that filters and page links swap in place.
 * @module
 */
import { echo } from '../../../echo.js';
import { ValidationError } from '../../../errors.js';
import type { ExecutionState, ExecutionStatus } from '../../../types.js';
import { EXECUTION_STATES } from '../../../types.js';
import type { DashboardDeps } from '../context.js';
import { formatDuration, formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { badge } from '../layout.js';

/** A validated list query. */
export interface ListQuery {
  status?: ExecutionState;
  workflowId?: string;
  page: number;
}

const STATES: ReadonlySet<string> = new Set(EXECUTION_STATES);

/**
 * Reads `status`, `workflowId` and `page` from a query string object; empty values mean "all".
 * @throws ValidationError for an unknown status, an overlong workflow id or a bad page number.
 */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const issues: { path: string; message: string }[] = [];
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : Array.isArray(v) ? String(v[0] ?? '') : '');
  const status = str(query.status);
  const workflowId = str(query.workflowId);
  const pageText = str(query.page);
  if (status !== '' && !STATES.has(status)) {
    issues.push({
      path: 'status',
      message: `expected one of ${EXECUTION_STATES.join(', ')}, got ${echo(status)}`,
    });
  }
  if (workflowId.length > 128)
    issues.push({ path: 'workflowId', message: 'expected at most 128 characters' });
  const page = pageText === '' ? 1 : Number(pageText);
  if (!Number.isInteger(page) || page < 1 || page > 1_000_000) {
    issues.push({ path: 'page', message: `expected a page number from 1, got '${pageText}'` });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid execution filter');
  return {
    ...(status ? { status: status as ExecutionState } : {}),
    ...(workflowId ? { workflowId } : {}),
    page,
  };
}

/** The query string of a list query (for links), `page` omitted when it is 1. */
export function listQueryString(q: ListQuery, page = q.page): string {
  const params = new URLSearchParams();
  if (q.status) params.set('status', q.status);
  if (q.workflowId) params.set('workflowId', q.workflowId);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Wall-clock duration of an execution so far. */
export function elapsed(x: ExecutionStatus, now: number): number {
  return (x.completedAt?.getTime() ?? now) - x.startedAt.getTime();
}

function errorCell(x: ExecutionStatus): SafeHtml {
  if (!x.error) return html``;
  const message = x.error.message.length > 90 ? `${x.error.message.slice(0, 90)}…` : x.error.message;
  return html`<span class="err-code">${x.error.code}</span> <span class="err-msg" title="${x.error.message}">${message}</span>`;
}

/** Table rows of executions. */
export function executionRows(list: ExecutionStatus[], now: number): SafeHtml {
  return html`${list.map(
    (x) => html`<tr data-execution="${x.id}" data-status="${x.status}">
  <td class="nowrap"><a class="mono" href="/executions/${encodeURIComponent(x.id)}">${x.id}</a></td>
  <td><a href="/workflows/${encodeURIComponent(x.workflowId)}">${x.workflowId}</a> <span class="muted nowrap">v${x.workflowVersion}</span></td>
  <td>${badge(x.status)}</td>
  <td class="nowrap"><time datetime="${x.startedAt.toISOString()}">${formatTime(x.startedAt)}</time></td>
  <td class="num">${formatDuration(elapsed(x, now))}</td>
  <td class="num">${x.stepsCompleted}/${x.totalSteps}</td>
  <td>${x.workerId ?? '–'}</td>
  <td class="err">${errorCell(x)}</td>
</tr>`,
  )}`;
}

/** The list fragment: counts, table and pager, polling itself with the same query. */
export async function executionsPanel(deps: DashboardDeps, q: ListQuery): Promise<SafeHtml> {
  const engine = deps.orch.workflowEngine;
  const filter = {
    ...(q.status ? { status: q.status } : {}),
    ...(q.workflowId ? { workflowId: q.workflowId } : {}),
  };
  const size = deps.pageSize;
  const offset = (q.page - 1) * size;
  const [list, total] = await Promise.all([
    engine.listExecutions({ ...filter, limit: size, offset }),
    engine.countExecutions(filter),
  ]);
  const pages = Math.max(1, Math.ceil(total / size));
  const qs = listQueryString(q);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  // A page past the end (an edited address, or the list shrank under a filter) is empty: it
  // says so and its "newer" link goes to the last page, not to the page before this one.
  const count =
    list.length > 0
      ? `Showing ${offset + 1}–${offset + list.length} of ${plural(Math.max(total, offset + list.length), 'execution')} · page ${q.page} of ${pages}`
      : total === 0
        ? 'No executions match.'
        : `No executions on this page · ${plural(total, 'execution')} on ${plural(pages, 'page')}`;
  const newer = list.length === 0 && q.page > pages ? pages : q.page - 1;
  const link = (page: number, text: string, id: string) =>
    html`<a id="${id}" href="/executions${listQueryString(q, page)}" hx-get="/ui/executions${listQueryString(q, page)}" hx-target="#exec-panel" hx-swap="outerHTML">${text}</a>`;
  return html`<section id="exec-panel" hx-get="/ui/executions${qs}" hx-trigger="every 2s" hx-swap="outerHTML" data-total="${total}" data-page="${q.page}">
<p class="muted" data-role="count">${count}</p>
<table class="executions">
<thead><tr><th>Execution</th><th>Workflow</th><th>Status</th><th>Started (UTC)</th><th class="num">Duration</th><th class="num">Steps</th><th>Worker</th><th>Error</th></tr></thead>
<tbody>${executionRows(list, deps.now())}</tbody>
</table>
<nav class="pager" aria-label="Pages">
  ${newer >= 1 ? link(newer, '← Newer', 'pager-prev') : html`<span class="disabled">← Newer</span>`}
  <span class="muted">page ${q.page} of ${pages}</span>
  ${q.page < pages ? link(q.page + 1, 'Older →', 'pager-next') : html`<span class="disabled">Older →</span>`}
</nav>
</section>`;
}

/** The executions page body: filters and the live list. */
export async function executionsBody(deps: DashboardDeps, q: ListQuery): Promise<SafeHtml> {
  // Offers the workflows other nodes sharing the store defined, too.
  await deps.orch.workflowEngine.refreshWorkflows();
  const ids = deps.orch.workflowEngine.listWorkflows().map((w) => w.id);
  if (q.workflowId && !ids.includes(q.workflowId)) ids.push(q.workflowId);
  return html`<div class="page-head"><h1>Executions</h1><span class="muted">newest first · updates every 2 s</span></div>
<form id="exec-filters" class="filters" method="get" action="/executions" hx-get="/ui/executions" hx-target="#exec-panel" hx-swap="outerHTML" hx-trigger="change, submit">
  <label>Status
    <select name="status">
      <option value="">all</option>
      ${EXECUTION_STATES.map((s) => html`<option value="${s}"${q.status === s ? html` selected` : ''}>${s}</option>`)}
    </select>
  </label>
  <label>Workflow
    <select name="workflowId">
      <option value="">all</option>
      ${ids.map((id) => html`<option value="${id}"${q.workflowId === id ? html` selected` : ''}>${id}</option>`)}
    </select>
  </label>
  <button type="submit">Filter</button>
</form>
${await executionsPanel(deps, q)}`;
}
