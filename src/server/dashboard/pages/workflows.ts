/**
 * Workflows (`/workflows`, `/workflows/:id`): definitions with their versions and steps, and
 * per workflow the optimizer's view — execution-time statistics, per-step statistics, the
 * bottleneck step with its share of the time, and the suggestions.
 * @module
 */
import type { StepDefinition, WorkflowDefinition } from '../../../definition/types.js';
import { echo } from '../../../echo.js';
import { ValidationError } from '../../../errors.js';
import { bottleneckCaveat } from '../../../performance/suggestions.js';
import type { WorkflowPerformance } from '../../../performance/workflow-performance.js';
import { plural } from '../../../plural.js';
import { FIGURES_SOURCES, type FiguresSource } from '../../workflow-figures.js';
import type { DashboardDeps } from '../context.js';
import { formatDuration, formatPercent, formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { stat } from '../layout.js';

/**
 * Reads `?version=` of the workflow page: absent or empty means the latest version.
 * @throws ValidationError (400) for anything but a version number from 1.
 */
export function parseVersionQuery(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const version = /^\d{1,9}$/.test(text) ? Number(text) : 0;
  if (version < 1) {
    const shown = Array.isArray(value) ? value.join(',') : String(value);
    throw new ValidationError(
      [{ path: 'version', message: `expected a version number from 1, got ${echo(shown)}` }],
      'Invalid workflow version',
    );
  }
  return version;
}

/**
 * The workflow page's `source` query: absent, empty or `node` → this node's runs; `store` → the
 * newest finished executions in the store, every node's.
 * @throws ValidationError naming `source` for anything else.
 */
export function parseSourceQuery(value: unknown): FiguresSource {
  if (value === undefined || value === '') return 'node';
  const known = FIGURES_SOURCES.find((source) => source === value);
  if (known) return known;
  const shown = Array.isArray(value) ? value.join(',') : String(value);
  throw new ValidationError(
    [
      {
        path: 'source',
        message: `expected ${FIGURES_SOURCES.map((v) => `'${v}'`).join(' or ')}, got ${echo(shown)}`,
      },
    ],
    'Invalid figures source',
  );
}

const wfLink = (id: string) => html`<a href="/workflows/${encodeURIComponent(id)}">${id}</a>`;

/** The workflows list page body. */
export function workflowsBody(deps: DashboardDeps): SafeHtml {
  const { orch } = deps;
  const defs = orch.workflowEngine.listWorkflows();
  const rows = defs.map((d) => {
    const stats = orch.performanceOptimizer.getStats(d.id);
    const bottleneck = orch.performanceOptimizer.identifyBottleneck(d.id);
    return html`<tr data-workflow="${d.id}">
  <td class="wf">${wfLink(d.id)}</td>
  <td class="num">v${d.version}</td>
  <td class="num">${orch.workflowEngine.listWorkflowVersions(d.id).length}</td>
  <td class="num">${d.steps.length}</td>
  <td class="desc">${d.options.description ?? ''}</td>
  <td class="num">${stats.count}</td>
  <td class="num">${stats.count > 0 ? formatDuration(stats.avg) : '–'}</td>
  <td class="num">${stats.count > 0 ? formatDuration(stats.p95) : '–'}</td>
  <td>${bottleneck ? html`<span class="mono">${bottleneck}</span>` : '–'}</td>
  <td><a href="/executions?workflowId=${encodeURIComponent(d.id)}">executions →</a></td>
</tr>`;
  });
  return html`<div class="page-head"><h1>Workflows</h1><span class="muted">latest version of each · timings since this node started</span></div>
${
  defs.length === 0
    ? html`<p class="muted empty">No workflows defined. POST one to <code>/v1/workflows</code>.</p>`
    : html`<table class="workflows"><thead><tr><th>Workflow</th><th class="num">Version</th><th class="num">Versions</th><th class="num">Steps</th><th>Description</th><th class="num">Runs</th><th class="num">Avg</th><th class="num">p95</th><th>Bottleneck</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
}

function kindOf(step: StepDefinition): string {
  if (step.parallel !== undefined) return 'parallel';
  if (step.condition !== undefined) return 'condition';
  return 'action';
}

function stepDetails(step: StepDefinition): SafeHtml {
  const parts: SafeHtml[] = [];
  if (step.condition !== undefined) {
    parts.push(html`<code>${step.condition}</code>`);
    if (step.then) parts.push(html`then → <span class="mono">${step.then}</span>`);
    if (step.else) parts.push(html`else → <span class="mono">${step.else}</span>`);
  } else {
    if ('action' in step && step.action && step.action !== step.name)
      parts.push(html`action <span class="mono">${step.action}</span>`);
    if (step.timeout !== undefined) parts.push(html`timeout ${step.timeout} s`);
    if ('retry' in step && step.retry) {
      parts.push(
        step.retry === true
          ? html`retry (default policy)`
          : html`retry ×${step.retry.maxAttempts ?? 'default'}`,
      );
    }
    if (step.compensation) parts.push(html`undo <span class="mono">${step.compensation}</span>`);
    if ('input' in step && step.input) parts.push(html`input <code>${step.input}</code>`);
  }
  return html`${parts.map((p, i) => html`${i > 0 ? ' · ' : ''}${p}`)}`;
}

function definitionRows(steps: StepDefinition[]): SafeHtml[] {
  return steps.flatMap((step, i) => [
    html`<tr data-step="${step.name}"><td class="num">${i + 1}</td><td class="mono">${step.name}</td><td>${kindOf(step)}</td><td>${stepDetails(step)}</td></tr>`,
    ...(step.parallel !== undefined
      ? step.parallel.map(
          (b) =>
            html`<tr class="branch" data-step="${b.name}"><td></td><td class="mono">└ ${b.name}</td><td>branch</td><td>${stepDetails(b)}</td></tr>`,
        )
      : []),
  ]);
}

function optimizerPanel(deps: DashboardDeps, perf: WorkflowPerformance): SafeHtml {
  const { stats, steps, bottleneck } = perf;
  const m = deps.orch.getMetrics(perf.workflowId);
  const maxShare = Math.max(0.0001, ...steps.map((s) => s.share));
  return html`<section class="stats">
  ${stat('Runs', String(stats.count), { id: 'runs', hint: perf.recorded })}
  ${stat('Average', stats.count > 0 ? formatDuration(stats.avg) : '–', { id: 'avg' })}
  ${stat('p95', stats.count > 0 ? formatDuration(stats.p95) : '–', { id: 'p95', hint: stats.count > 0 ? `p50 ${formatDuration(stats.p50)} · max ${formatDuration(stats.max)}` : '' })}
  ${stat('Success rate', m.executions.completed + m.executions.failed + m.executions.cancelled > 0 ? formatPercent(m.successRate) : '–', { id: 'success-rate' })}
  ${stat('Retry rate', m.stepsRun > 0 ? formatPercent(m.retryRate) : '–', { id: 'retry-rate' })}
  ${stat('Bottleneck', bottleneck?.step ?? '–', {
    id: 'bottleneck',
    ...(bottleneck ? { title: bottleneck.step } : {}),
    hint: bottleneck
      ? `${formatPercent(bottleneck.share)} of step time${bottleneckCaveat(stats.count, steps.find((s) => s.name === bottleneck.step)?.count ?? 0)}`
      : 'no step recorded yet',
    tone: bottleneck ? 'warn' : '',
  })}
</section>
<section class="panel">
  <h2>Steps <span class="muted">time per step</span></h2>
  ${
    steps.length === 0
      ? html`<p class="muted empty">No step timings yet.</p>`
      : html`<table class="stepstats"><thead><tr><th>Step</th><th class="num">Runs</th><th class="num">Avg</th><th class="num">p95</th><th class="num" title="mean time per run between attempts: backoff before retries, a restart">Waiting</th><th class="num" title="mean time per run its tasks waited for a remote worker">Queued</th><th class="num" title="mean time of one compensation of the step (not part of its runs)">Compensation</th><th class="num">Retries</th><th class="num">Failures</th><th class="share-col">Share of time</th></tr></thead>
<tbody>${steps.map(
          (
            s,
          ) => html`<tr data-step="${s.name}"${s.name === bottleneck?.step ? html` class="bottleneck"` : ''}>
  <td class="mono">${s.name}</td><td class="num">${s.count}</td><td class="num">${formatDuration(s.avg)}</td><td class="num">${formatDuration(s.p95)}</td>
  <td class="num">${formatDuration(s.waitAvg)}</td><td class="num">${formatDuration(s.queueAvg)}</td><td class="num">${s.compensations > 0 ? formatDuration(s.compensationAvg) : '–'}</td><td class="num">${s.retries}</td><td class="num">${s.failures}</td>
  <td class="share-col"><div class="share-cell"><svg class="share" width="100%" height="12" aria-hidden="true"><rect x="0" y="1" width="${((s.share / maxShare) * 100).toFixed(2)}%" height="10" rx="2"></rect></svg><span class="num">${formatPercent(s.share)}</span></div></td>
</tr>`,
        )}</tbody></table>`
  }
</section>`;
}

function suggestionsPanel(perf: WorkflowPerformance): SafeHtml {
  const { stats, suggestions } = perf;
  return html`<section class="panel">
  <h2>Suggestions</h2>
  ${
    suggestions.length === 0
      ? html`<p class="muted empty" data-empty="suggestions">None: the average (${stats.count > 0 ? formatDuration(stats.avg) : 'no runs yet'}) is within the slow threshold of ${formatDuration(perf.slowThresholdMs)}.</p>`
      : html`<ul class="suggestions">${suggestions.map((s) => html`<li>${s}</li>`)}</ul>`
  }
</section>`;
}

/**
 * A workflow's page body; `version` picks the definition shown (default: latest), `perf` the
 * figures shown, from `source`.
 */
export function workflowBody(
  deps: DashboardDeps,
  def: WorkflowDefinition,
  versions: WorkflowDefinition[],
  perf: WorkflowPerformance,
  source: FiguresSource,
): SafeHtml {
  const latest = versions.at(-1)?.version ?? def.version;
  const enc = encodeURIComponent(def.id);
  // The link to the other figures keeps the version shown (none: the latest).
  const query = (...parts: string[]) => {
    const all = def.version === latest ? parts : [`version=${def.version}`, ...parts];
    return all.length === 0 ? '' : `?${all.join('&')}`;
  };
  const other =
    source === 'node'
      ? html`<a class="more" data-source="store" href="/workflows/${enc}${query('source=store')}" title="the newest finished executions in the store, whichever node ran them">every node's runs →</a>`
      : html`<a class="more" data-source="node" href="/workflows/${enc}${query()}">this node's runs →</a>`;
  return html`<div class="page-head"><h1>Workflow <span class="mono">${def.id}</span></h1>
  <span class="muted">v${def.version}${def.version === latest ? ' (latest)' : ` of ${latest}`}</span>
  ${other}
  <a class="more" href="/executions?workflowId=${enc}">executions →</a></div>
${def.options.description ? html`<p class="desc">${def.options.description}</p>` : ''}
${optimizerPanel(deps, perf)}
<div class="cols">
${suggestionsPanel(perf)}
<section class="panel">
  <h2>Versions</h2>
  <table class="versions"><thead><tr><th>Version</th><th>Created (UTC)</th><th class="num">Steps</th></tr></thead>
  <tbody>${[...versions]
    .reverse()
    .map(
      (v) =>
        html`<tr${v.version === def.version ? html` class="current"` : ''}><td><a href="/workflows/${enc}?version=${v.version}">v${v.version}</a></td><td>${formatTime(v.createdAt)}</td><td class="num">${v.steps.length}</td></tr>`,
    )}</tbody></table>
</section>
</div>
<section class="panel">
  <h2>Definition <span class="muted">v${def.version} · ${plural(def.steps.length, 'step')}${def.options.timeout ? ` · timeout ${def.options.timeout} s` : ''}</span></h2>
  <table class="definition"><thead><tr><th class="num">#</th><th>Step</th><th>Kind</th><th>Details</th></tr></thead>
  <tbody>${definitionRows(def.steps)}</tbody></table>
</section>`;
}
