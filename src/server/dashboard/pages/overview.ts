/**
 * Overview (`/`): success, latency, retry and compensation rates, running and pending counts,
 * throughput and latency charts over recent time (uPlot, fed by `/ui/series.json`), active
 * alerts and the latest executions. The numbers refresh every 2 s through `/ui/overview`.
 * @module
 */
import { latencySummary, throughputSummary } from '../chart-summary.js';
import type { DashboardDeps } from '../context.js';
import { formatAgo, formatDuration, formatPercent, formatSpan, formatUtc } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { badge, stat } from '../layout.js';
import { durationText } from './executions.js';

function alertsPanel(deps: DashboardDeps): SafeHtml {
  // `alertWindowMinutes: 0`: alerts are not shown (not "none in the last 0 s").
  if (deps.alertWindowMs === 0) {
    return html`<p class="muted empty" data-empty="alerts">Alerts are not shown here (alertWindowMinutes: 0).</p>`;
  }
  const now = deps.now();
  const recent = deps.orch.getAlerts();
  const active = recent.filter((a) => now - a.at.getTime() <= deps.alertWindowMs).reverse();
  if (active.length === 0) {
    return html`<p class="muted empty" data-empty="alerts">No alerts in the last ${formatSpan(deps.alertWindowMs)}.</p>`;
  }
  return html`<ul class="alerts">${active.slice(0, 20).map(
    (a) => html`<li class="alert alert-${a.severity}">
  <span class="badge badge-${a.severity}">${a.severity}</span>
  <span class="alert-type">${a.type.replace(/_/g, ' ')}</span>
  <span class="alert-message">${a.message}</span>
  ${a.workflowId ? html`<a class="alert-link" href="/workflows/${encodeURIComponent(a.workflowId)}">${a.workflowId}</a>` : ''}
  ${a.executionId ? html`<a class="alert-link mono" href="/executions/${encodeURIComponent(a.executionId)}">${a.executionId}</a>` : ''}
  <time datetime="${a.at.toISOString()}" title="${formatUtc(a.at)}">${formatAgo(a.at, now)}</time>
</li>`,
  )}</ul>${active.length > 20 ? html`<p class="muted">and ${active.length - 20} more</p>` : ''}`;
}

function statsSection(deps: DashboardDeps): SafeHtml {
  const m = deps.orch.getMetrics();
  const e = m.executions;
  const finished = e.completed + e.failed + e.cancelled;
  return html`<section id="overview-stats" class="stats" aria-label="Metrics" hx-get="/ui/overview" hx-trigger="every 2s" hx-swap="outerHTML">
  ${stat('Success rate', finished > 0 ? formatPercent(m.successRate) : '–', {
    id: 'success-rate',
    hint: `${e.completed} completed of ${finished} finished`,
    tone: finished > 0 && m.successRate < 0.9 ? 'bad' : 'good',
  })}
  ${stat('Avg execution', formatDuration(m.durationSample > 0 ? m.avgExecutionMs : null), { id: 'avg' })}
  ${stat('p95 execution', formatDuration(m.durationSample > 0 ? m.p95ExecutionMs : null), { id: 'p95' })}
  ${stat('Retry rate', m.stepsRun > 0 ? formatPercent(m.retryRate) : '–', {
    id: 'retry-rate',
    hint: `steps that needed a retry, of ${m.stepsRun} run`,
  })}
  ${stat('Compensation rate', finished > 0 ? formatPercent(m.compensationRate) : '–', {
    id: 'compensation-rate',
    hint: 'finished executions that compensated',
    tone: m.compensationRate > 0 ? 'warn' : '',
  })}
  ${stat('Running', String(e.running + e.compensating), {
    id: 'running',
    hint: e.compensating > 0 ? `${e.compensating} compensating` : 'now',
    tone: 'info',
  })}
  ${stat('Pending', String(e.pending), { id: 'pending', hint: 'waiting for a slot' })}
  ${stat('Total', String(e.total), { id: 'total', hint: `${e.failed} failed · ${e.cancelled} cancelled` })}
</section>`;
}

async function panelsSection(deps: DashboardDeps, oob: boolean): Promise<SafeHtml> {
  const latest = await deps.orch.workflowEngine.listExecutions({ limit: 8 });
  return html`<div id="overview-panels" class="cols"${oob ? html` hx-swap-oob="true"` : ''}>
  <section class="panel">
    <h2>Active alerts</h2>
    ${alertsPanel(deps)}
  </section>
  <section class="panel">
    <h2>Latest executions <a class="more" href="/executions">all →</a></h2>
    ${
      latest.length === 0
        ? html`<p class="muted empty">No executions yet.</p>`
        : html`<table class="compact"><thead><tr><th>Execution</th><th>Workflow</th><th>Status</th><th class="num">Duration</th></tr></thead>
<tbody>${latest.map(
            (
              x,
            ) => html`<tr><td class="nowrap"><a class="mono" href="/executions/${encodeURIComponent(x.id)}">${x.id}</a></td>
<td class="wf"><a href="/workflows/${encodeURIComponent(x.workflowId)}">${x.workflowId}</a></td><td>${badge(x.status)}</td>
<td class="num">${durationText(x, deps.now())}</td></tr>`,
          )}</tbody></table>`
    }
  </section>
</div>`;
}

/**
 * The charts' figures in words, each chart's accessible name (`aria-labelledby`): hidden, so a
 * screen reader reads them once, as the chart's. The page's script sets them again from each
 * `/ui/series.json` it draws (`summary`), so they describe the same moment as the charts.
 */
function chartSummaries(deps: DashboardDeps): SafeHtml {
  const snap = deps.series.snapshot(deps.now());
  return html`<p id="throughput-summary" hidden>${throughputSummary(snap)}</p>
<p id="latency-summary" hidden>${latencySummary(snap)}</p>`;
}

/** The live fragment (`/ui/overview`): the stats, and the panels swapped out of band. */
export async function overviewLive(deps: DashboardDeps): Promise<SafeHtml> {
  return html`${statsSection(deps)}
${await panelsSection(deps, true)}`;
}

/** The overview page body. */
export async function overviewBody(deps: DashboardDeps): Promise<SafeHtml> {
  return html`<div class="page-head"><h1>Overview</h1><span class="muted">this node · updates every 2 s</span></div>
${statsSection(deps)}
<div class="cols charts">
  <section class="panel">
    <h2>Throughput <span class="muted">executions finished per ${formatSpan(deps.series.bucketMs)}, last ${formatSpan(deps.series.windowMs)} (UTC)</span></h2>
    <div class="chart" data-chart="throughput" data-src="/ui/series.json" role="img" aria-labelledby="throughput-summary"></div>
  </section>
  <section class="panel">
    <h2>Latency <span class="muted">average and p95 execution time, ms (UTC)</span></h2>
    <div class="chart" data-chart="latency" data-src="/ui/series.json" role="img" aria-labelledby="latency-summary"></div>
  </section>
</div>
${chartSummaries(deps)}
${await panelsSection(deps, false)}`;
}
