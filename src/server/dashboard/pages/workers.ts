/**
 * Workers (`/workers`): active executions per worker as bars, with the mean and the band
 * within which the load counts as balanced (`threshold × mean`, SPEC §4, the
 * `alerts.imbalanceThreshold` config), every engine node with its last heartbeat, and the remote
 * workers registered with this node (docs/remote-workers.md): their actions, the tasks they hold,
 * when they were last heard from. Refreshed every 2 s through `/ui/workers`.
 * @module
 */

import { SCORE_MEANING, scoreText } from '../../../balancing/score-text.js';
import { readAdvertisedRemoteWorkers } from '../../../remote/advertised-remote-workers.js';
import type { RemoteWorkerSummary } from '../../../remote/protocol.js';
import type { NodeInfo } from '../../routes/monitoring.js';
import { nodesWithin } from '../../store-wait.js';
import type { DashboardDeps } from '../context.js';
import { formatAgo, formatPercent, formatTime, formatUtc } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { badge, stat } from '../layout.js';

/** The live workers fragment. */
export async function workersPanel(deps: DashboardDeps): Promise<SafeHtml> {
  const { orch } = deps;
  const lb = orch.loadBalancer;
  const threshold = orch.config.alerts.imbalanceThreshold;
  const load = lb.getLoadDistribution();
  const workers = lb.getWorkers().map((id) => ({ id, active: load[id] ?? 0 }));
  const total = workers.reduce((sum, w) => sum + w.active, 0);
  const mean = workers.length > 0 ? total / workers.length : 0;
  const balanced = lb.isBalanced(threshold);
  const scale = Math.max(1, ...workers.map((w) => w.active), Math.ceil(mean * (1 + threshold)));
  const x = (v: number) => `${((v / scale) * 100).toFixed(3)}%`;
  const low = Math.max(0, mean - threshold * mean);
  const high = mean + threshold * mean;
  // 503 when the node list does not come within a second (as when the store fails).
  const nodes = await nodesWithin(orch, deps.nodes);
  const remote = deps.remoteWorkers();
  const now = deps.now();
  return html`<div id="workers-live" hx-get="/ui/workers" hx-trigger="every 2s" hx-swap="outerHTML">
<section class="stats">
  ${stat('Balance', balanced ? 'balanced' : 'imbalanced', {
    id: 'balanced',
    tone: balanced ? 'good' : 'bad',
    hint: `every worker within ±${formatPercent(threshold, 0)} of the mean`,
  })}
  ${stat('Active executions', String(total), { id: 'active', hint: `mean ${mean.toFixed(2)} per worker` })}
  ${stat('Balance score', scoreText(lb.balanceScore()), { id: 'score', hint: SCORE_MEANING })}
  ${stat('Workers', String(workers.length), { id: 'workers' })}
</section>
<section class="panel">
  <h2>Load per worker</h2>
  <div class="loadbars">
  ${workers.map(
    (w) => html`<div class="lb-row" data-worker="${w.id}" data-active="${w.active}">
  <span class="lb-label mono">${w.id}</span>
  <svg class="lb-track" width="100%" height="24" role="img" aria-label="${w.id}: ${w.active} active">
    ${mean > 0 ? html`<rect class="lb-band" x="${x(low)}" y="0" width="${x(high - low)}" height="24"></rect>` : ''}
    <rect class="lb-bar${w.active < low - 1e-9 || w.active > high + 1e-9 ? ' lb-off' : ''}" x="0" y="5" width="${x(w.active)}" height="14" rx="2"><title>${w.id}: ${w.active} active</title></rect>
    ${mean > 0 ? html`<line class="lb-mean" x1="${x(mean)}" x2="${x(mean)}" y1="0" y2="24"></line>` : ''}
  </svg>
  <span class="lb-value num">${w.active}</span>
</div>`,
  )}
  </div>
  <p class="muted legend-line">Bars: active executions · line: mean · band: balanced range (mean ± ${formatPercent(threshold, 0)})</p>
</section>
<section class="panel">
  <h2>Nodes</h2>
  ${nodes.length === 0 ? html`<p class="muted empty" data-empty="nodes">No nodes registered.</p>` : nodesTable(nodes, now)}
</section>
<section class="panel">
  <h2>Remote workers</h2>
  ${remote.length === 0 ? html`<p class="muted empty" data-empty="remote-workers">No remote workers registered.</p>` : remoteWorkersTable(remote, now)}
  ${otherNodesWorkers(nodes, now)}
</section>
</div>`;
}

/**
 * The remote workers registered with the other live nodes, as their last heartbeats listed them
 * (each node keeps its own registrations in memory); nothing when none has any.
 */
function otherNodesWorkers(nodes: NodeInfo[], now: number): SafeHtml | '' {
  const others = nodes.flatMap((n) => {
    const info = n.info;
    if (n.self === true || n.alive === false || info === null || typeof info !== 'object') return [];
    const ads = readAdvertisedRemoteWorkers(info as Record<string, unknown>);
    return ads === null || ads.count === 0 ? [] : [{ node: n.id, ...ads }];
  });
  if (others.length === 0) return '';
  return html`<h3>On other nodes <span class="muted">as of their last heartbeat</span></h3>
<table class="remote-workers other-nodes"><thead><tr><th>Remote worker</th><th>Node</th><th>Actions</th><th class="num">Held tasks</th><th class="num">Polling</th><th>Last heard from</th></tr></thead>
  <tbody>${others.map((n) =>
    n.workers === 'omitted'
      ? html`<tr data-node-workers="${n.node}"><td colspan="6">${n.count} remote workers on <span class="mono">${n.node}</span>, more than its heartbeat lists</td></tr>`
      : n.workers.map((w) => {
          const seen = new Date(w.lastSeen);
          return html`<tr data-remote-worker="${w.id}" data-node="${n.node}" data-held="${w.heldTasks}">
  <td>${w.name === undefined ? '' : html`<span class="rw-name">${w.name}</span><br>`}<span class="mono${w.name === undefined ? '' : ' muted'}">${w.id}</span></td>
  <td class="mono">${n.node}</td>
  <td class="mono">${w.actions.join(', ')}</td>
  <td class="num">${w.heldTasks}</td>
  <td class="num">${w.polling}</td>
  <td><time datetime="${seen.toISOString()}" title="${formatUtc(seen)}">${formatAgo(seen, now)}</time></td>
</tr>`;
        }),
  )}</tbody></table>`;
}

function nodesTable(nodes: NodeInfo[], now: number): SafeHtml {
  return html`<table class="nodes"><thead><tr><th>Node</th><th>State</th><th>Last heartbeat</th><th class="num">Running</th><th class="num">Queued</th><th>Started (UTC)</th></tr></thead>
  <tbody>${nodes.map(
    (n) => html`<tr data-node="${n.id}">
  <td class="mono">${n.id}${n.self === true ? html` <span class="muted">(this node)</span>` : ''}</td>
  <td>${badge(n.alive === false ? 'down' : 'alive')}</td>
  <td><time datetime="${n.lastHeartbeat.toISOString()}" title="${formatUtc(n.lastHeartbeat)}">${formatAgo(n.lastHeartbeat, now)}</time></td>
  <td class="num">${n.running}</td>
  <td class="num">${n.queued}</td>
  <td>${n.startedAt instanceof Date ? formatTime(n.startedAt) : '–'}</td>
</tr>`,
  )}</tbody></table>`;
}

/** The remote workers: name and id, actions, tasks held and polls waiting, last heard from. */
function remoteWorkersTable(workers: RemoteWorkerSummary[], now: number): SafeHtml {
  return html`<table class="remote-workers"><thead><tr><th>Remote worker</th><th>Actions</th><th class="num">Held tasks</th><th class="num">Polling</th><th>Last heard from</th><th>Registered (UTC)</th></tr></thead>
  <tbody>${workers.map(
    (w) => html`<tr data-remote-worker="${w.id}" data-held="${w.heldTasks}">
  <td>${w.name === undefined ? '' : html`<span class="rw-name">${w.name}</span><br>`}<span class="mono${w.name === undefined ? '' : ' muted'}">${w.id}</span></td>
  <td class="mono">${w.actions.join(', ')}</td>
  <td class="num">${w.heldTasks}</td>
  <td class="num">${w.polling}</td>
  <td><time datetime="${w.lastSeen.toISOString()}" title="${formatUtc(w.lastSeen)}">${formatAgo(w.lastSeen, now)}</time></td>
  <td>${formatTime(w.registeredAt)}</td>
</tr>`,
  )}</tbody></table>`;
}

/** The workers page body. */
export async function workersBody(deps: DashboardDeps): Promise<SafeHtml> {
  return html`<div class="page-head"><h1>Workers</h1><span class="muted">updates every 2 s</span></div>
${await workersPanel(deps)}`;
}
