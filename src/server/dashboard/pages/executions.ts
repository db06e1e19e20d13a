/**
 * Executions (`/executions`): newest first, filtered by status and workflow, paged by cursor:
 * "Older" carries `before=<the last id shown>` (as `GET /v1/executions`' `nextBefore`), so new
 * executions arriving between page loads neither repeat nor skip rows; on a page read with a
 * cursor, "Newer" carries `after=<the first id shown>` (as `prevAfter`): the page above it, the
 * nearest executions; "Newest" goes back to the first page. The table is a fragment
 * (`/ui/executions`) that htmx polls every 2 s with the same query (an older page keeps its
 * cursor, so only its rows' statuses change), and that filters and pager links swap in place.
 * @module
 */
import { echo } from '../../../echo.js';
import { MAX_LIST_LIMIT } from '../../../engine/execution-queries.js';
import { cursorProblem } from '../../../engine/list-cursor.js';
import { ValidationError } from '../../../errors.js';
import { plural } from '../../../plural.js';
import { textPrefix } from '../../../text-prefix.js';
import type { ExecutionState, ExecutionStatus } from '../../../types.js';
import { EXECUTION_STATES } from '../../../types.js';
import { requestWorkflowId } from '../../schemas.js';
import { refreshWithin } from '../../store-wait.js';
import type { DashboardDeps } from '../context.js';
import { formatDuration, formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { badge, versionLink } from '../layout.js';

/** A validated list query. */
export interface ListQuery {
  status?: ExecutionState;
  workflowId?: string;
  /** The id of the last execution of the page before (newer); absent on the newest page. */
  before?: string;
  /** The id of the first execution of the page after (older): the page is the nearest above it. Not with `before`. */
  after?: string;
}

/** Where a page starts: after (`before`) or before (`after`) an execution, or null: the newest page. */
export type PageCursor = { before: string } | { after: string } | null;

/** The cursor a list query reads its page with. */
function cursorOf(q: ListQuery): PageCursor {
  return q.after ? { after: q.after } : q.before ? { before: q.before } : null;
}

const STATES: ReadonlySet<string> = new Set(EXECUTION_STATES);

/** The workflow id filter's checks: those of `GET /v1/executions`' `workflowId`. */
const WORKFLOW_ID = requestWorkflowId();

/**
 * Reads `status`, `workflowId`, `before` and `after` from a query string object; empty values
 * mean "all" (and the newest page).
 * @throws ValidationError for an unknown status, a workflow id that is none (the checks of
 *   `GET /v1/executions`: length, characters, reserved names), a `before` or `after`
 *   that is no execution id, or both of them, and for any of them given more than once.
 */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const issues: { path: string; message: string }[] = [];
  // One given twice (`?status=failed&status=cancelled`) is refused as GET /v1/executions refuses
  // it: read as its first value, the page listed part of what was asked as if it were all.
  for (const key of ['status', 'workflowId', 'before', 'after']) {
    if (Array.isArray(query[key])) issues.push({ path: key, message: 'given more than once; give it once' });
  }
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const status = str(query.status);
  const workflowId = str(query.workflowId);
  const before = str(query.before);
  const after = str(query.after);
  if (status !== '' && !STATES.has(status)) {
    issues.push({
      path: 'status',
      message: `expected one of ${EXECUTION_STATES.join(', ')}, got ${echo(status)}`,
    });
  }
  const idCheck = workflowId === '' ? null : WORKFLOW_ID.safeParse(workflowId);
  if (idCheck && !idCheck.success) {
    issues.push({
      path: 'workflowId',
      message: idCheck.error.issues[0]?.message ?? 'expected a workflow id',
    });
  }
  for (const [path, cursor] of [
    ['before', before],
    ['after', after],
  ] as const) {
    const problem = cursor === '' ? null : cursorProblem(cursor);
    if (problem !== null) issues.push({ path, message: problem });
  }
  if (before && after) {
    issues.push({
      path: 'after',
      message: 'expected no after with before: a page is read one way at a time',
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid execution filter');
  return {
    ...(status ? { status: status as ExecutionState } : {}),
    ...(workflowId ? { workflowId } : {}),
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
  };
}

/** The query string of a list query (for links and the address bar); `cursor` replaces its own. */
export function listQueryString(q: ListQuery, cursor: PageCursor = cursorOf(q)): string {
  const params = new URLSearchParams();
  if (q.status) params.set('status', q.status);
  if (q.workflowId) params.set('workflowId', q.workflowId);
  if (cursor && 'before' in cursor) params.set('before', cursor.before);
  if (cursor && 'after' in cursor) params.set('after', cursor.after);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Wall-clock duration of an execution so far. */
export function elapsed(x: ExecutionStatus, now: number): number {
  return (x.completedAt?.getTime() ?? now) - x.startedAt.getTime();
}

/**
 * An execution's duration in a table: a pending one's says it is queued (its time so far is the
 * wait for a slot, not a run).
 */
export function durationText(x: ExecutionStatus, now: number): string {
  const text = formatDuration(elapsed(x, now));
  return x.status === 'pending' ? `${text} queued` : text;
}

function errorCell(x: ExecutionStatus): SafeHtml {
  if (!x.error) return html``;
  const cut = textPrefix(x.error.message, 90);
  const message = cut.length < x.error.message.length ? `${cut}…` : cut;
  return html`<span class="err-code">${x.error.code}</span> <span class="err-msg" title="${x.error.message}">${message}</span>`;
}

/** Table rows of executions. */
export function executionRows(list: ExecutionStatus[], now: number): SafeHtml {
  return html`${list.map(
    (x) => html`<tr data-execution="${x.id}" data-status="${x.status}">
  <td class="nowrap"><a class="mono" href="/executions/${encodeURIComponent(x.id)}">${x.id}</a></td>
  <td class="wf"><a href="/workflows/${encodeURIComponent(x.workflowId)}">${x.workflowId}</a> <span class="nowrap">${versionLink(x)}</span></td>
  <td>${badge(x.status)}</td>
  <td class="nowrap"><time datetime="${x.startedAt.toISOString()}">${formatTime(x.startedAt)}</time></td>
  <td class="num">${durationText(x, now)}</td>
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
  // One row more than the page shows tells whether the page beyond has any: no "Older" (or,
  // read with `after`, "Newer") link that leads to an empty page. (At the largest page size a
  // full page links on, as the API does.)
  const limit = Math.min(size + 1, MAX_LIST_LIMIT);
  const [rows, total] = await Promise.all([
    engine.listExecutions({ ...filter, limit, ...cursorOf(q) }),
    engine.countExecutions(filter),
  ]);
  const more = rows.length === limit;
  // Read with `after`, the rows nearest to it come last: the one more is the first.
  const list = q.after ? rows.slice(-size) : rows.slice(0, size);
  // Older pages follow one read with `after` (the cursor's execution lies below it); newer ones
  // precede one read with `before` (its execution lies above).
  const older = q.after || more ? (list.at(-1)?.id ?? null) : null;
  const newer = q.before || (q.after && more) ? (list[0]?.id ?? null) : null;
  const qs = listQueryString(q);
  // An older page counts what it shows and every match: what is left after the cursor is not
  // counted (the API's `total` is every match, too).
  const side = q.after ? 'newer' : 'older';
  const count =
    !q.before && !q.after
      ? list.length > 0
        ? `Newest ${list.length} of ${plural(Math.max(total, list.length), 'execution')}`
        : 'No executions match.'
      : list.length > 0
        ? `${plural(list.length, `${side} execution`)} · ${total} in all`
        : total === 0
          ? `No ${side} executions match.`
          : `No ${side} executions · ${total} in all`;
  const link = (cursor: PageCursor, text: string, id: string) =>
    html`<a id="${id}" href="/executions${listQueryString(q, cursor)}" hx-get="/ui/executions${listQueryString(q, cursor)}" hx-target="#exec-panel" hx-swap="outerHTML">${text}</a>`;
  return html`<section id="exec-panel" hx-get="/ui/executions${qs}" hx-trigger="every 2s" hx-swap="outerHTML" data-total="${total}" data-before="${q.before ?? ''}" data-after="${q.after ?? ''}">
<p class="muted" data-role="count">${count}</p>
${
  // No match: the count says so, with no headings over no rows. The section stays and polls,
  // so the table appears with the first execution that matches.
  list.length === 0
    ? ''
    : html`<table class="executions">
<thead><tr><th>Execution</th><th>Workflow</th><th>Status</th><th>Started (UTC)</th><th class="num">Duration</th><th class="num">Steps</th><th>Worker</th><th>Error</th></tr></thead>
<tbody>${executionRows(list, deps.now())}</tbody>
</table>`
}
<nav class="pager" aria-label="Pages">
  ${q.before || q.after ? link(null, '↖ Newest', 'pager-newest') : html`<span class="disabled">↖ Newest</span>`}
  ${newer ? link({ after: newer }, '← Newer', 'pager-prev') : html`<span class="disabled">← Newer</span>`}
  ${older ? link({ before: older }, 'Older →', 'pager-next') : html`<span class="disabled">Older →</span>`}
</nav>
</section>`;
}

/** The executions page body: filters and the live list. */
export async function executionsBody(deps: DashboardDeps, q: ListQuery): Promise<SafeHtml> {
  // Offers the workflows other nodes sharing the store defined, too (those known here when the
  // store does not answer within a second).
  await refreshWithin(deps.orch);
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
