/**
 * `orchestrator workers`: the nodes (engine processes) sharing the store, from its node registry
 * (each orchestrator's heartbeat row: load, slots, last heartbeat) and the owners of unfinished
 * executions, each alive, stale or dead; and the worker load (running executions by their stored
 * `workerId`; in cluster mode the workers are the live nodes, each with the unfinished executions
 * it holds, as the balancers count them).
 * @module
 */
import type { Command } from 'commander';
import { SCORE_MEANING, scoreText } from '../../balancing/score-text.js';
import type { WorkersOptions } from '../commands/workers.js';
import { formatDuration, formatTime, idCell, plural, printable } from '../format.js';
import { setup } from '../globals.js';
import type { Output } from '../output.js';
import { type NodeLoad, type WorkersReport, workersReport } from '../reports.js';
import { inProcessStoreWarning, storeClockOffsetMs, withClient } from '../store-client.js';
import { renderTable } from '../table.js';
import { readWorkersConfig } from '../workers-config.js';

const count = (n: number | null) => (n === null ? '-' : String(n));

function heartbeat(node: NodeLoad, now: number): string {
  if (node.lastHeartbeat === null) return 'not registered';
  return `${formatTime(new Date(node.lastHeartbeat))} (${formatDuration(Math.max(0, now - node.lastHeartbeat))} ago)`;
}

/**
 * The remote workers each live node's last heartbeat listed: one row per worker, and a line for
 * a node that registered more than a heartbeat lists. Nothing when no live node has any.
 */
function remoteWorkerLines(report: WorkersReport, now: number, out: Output): void {
  if (report.remoteWorkers.length === 0) return;
  const rows = report.remoteWorkers.flatMap((n) =>
    n.workers === 'omitted'
      ? []
      : n.workers.map((w) => [
          idCell(w.id),
          w.name === undefined ? '-' : printable(w.name),
          idCell(n.node),
          w.actions.map(printable).join(', '),
          String(w.heldTasks),
          String(w.polling),
          `${formatDuration(Math.max(0, now - w.lastSeen))} ago`,
        ]),
  );
  out.line('');
  if (rows.length > 0) {
    out.line(
      ...renderTable(['REMOTE WORKER', 'NAME', 'NODE', 'ACTIONS', 'TASKS', 'POLLING', 'LAST SEEN'], rows, {
        header: out.style.dim,
      }),
    );
  }
  for (const n of report.remoteWorkers) {
    if (n.workers === 'omitted') {
      out.line(
        `Node ${idCell(n.node)}: ${plural(n.count, 'remote worker')}, more than its heartbeat lists; GET /v1/remote-workers on it lists them.`,
      );
    }
  }
}

/** Runs `workers`. */
export async function workersCommand(options: WorkersOptions, command: Command): Promise<void> {
  const { globals, out } = setup(command);
  const config = await readWorkersConfig(options.config, globals);
  const warning = inProcessStoreWarning(config.store);
  if (warning !== null) out.warn(warning);
  // Heartbeat ages are by the database's time (cluster nodes keep it), not this host's.
  let now = Date.now();
  const report = await withClient(config, async (client) => {
    now = Date.now() + (await storeClockOffsetMs(client.store));
    return workersReport(client, now, config.imbalanceThreshold, config.workers);
  });
  process.exitCode = 0;
  if (out.json) {
    out.data(report);
    return;
  }
  if (report.nodes.length === 0) {
    // An execution left running by a process that ended is counted under its stored worker
    // below: "no process holds unfinished executions" contradicted that count.
    const held = report.workers.reduce((sum, w) => sum + w.active, 0);
    out.line(
      held === 0
        ? 'No node is registered and no process holds unfinished executions.'
        : `No node is registered: no live process runs the ${plural(held, 'execution')} counted under ACTIVE below; ${held === 1 ? 'it resumes when an orchestrator that has its' : 'they resume when an orchestrator that has their'} steps' actions opens this store.`,
    );
  } else {
    const paint = (state: NodeLoad['state']) =>
      state === 'alive' ? out.style.green(state) : out.style.yellow(state);
    const nodeRows = report.nodes.map((n) => [
      idCell(n.id),
      paint(n.state),
      count(n.running),
      count(n.queued),
      count(n.capacity),
      String(n.executions),
      heartbeat(n, now),
      n.leaseUntil === null ? '-' : formatTime(new Date(n.leaseUntil)),
    ]);
    out.line(
      ...renderTable(
        ['NODE', 'STATE', 'RUNNING', 'QUEUED', 'SLOTS', 'EXECUTIONS', 'LAST HEARTBEAT', 'LEASE UNTIL'],
        nodeRows,
        { header: out.style.dim },
      ),
    );
    const orphans = report.nodes.filter((n) => n.state !== 'alive').reduce((sum, n) => sum + n.executions, 0);
    if (orphans > 0) {
      out.line(
        '',
        `${plural(orphans, 'execution')} of stale or dead nodes ${orphans === 1 ? 'is' : 'are'} taken over by a live node that has their steps' actions, or by the next orchestrator that opens this store and has them.`,
      );
    }
  }
  out.line('');
  // Worker ids are config: control characters in them are shown as escapes, long ones cut.
  const workerRows = report.workers.map((w) => [idCell(w.id), String(w.active), w.source]);
  if (workerRows.length > 0) {
    out.line(...renderTable(['WORKER', 'ACTIVE', 'SOURCE'], workerRows, { header: out.style.dim }));
    const within = `${Math.round(report.threshold * 100)}% of the mean`;
    const verdict = report.balanced
      ? `${out.style.green('balanced')}: every load is within ${within}`
      : `${out.style.yellow('imbalanced')}: a load is more than ${within} away`;
    out.line('', `Balance score ${scoreText(report.balanceScore)}; ${verdict}`);
  } else {
    out.line('No worker has running executions.');
  }
  remoteWorkerLines(report, now, out);
  out.line(
    '',
    out.style.dim(
      "RUNNING, QUEUED, SLOTS: the node's own counts at its last heartbeat; EXECUTIONS: unfinished ones it owns in the store.",
    ),
    out.style.dim(
      'alive = heartbeat within its lease. ACTIVE: running and compensating executions by their stored worker;',
    ),
    out.style.dim(
      'in cluster mode the workers are the live nodes, each with the unfinished executions it holds (queued ones too), as their balancers count them.',
    ),
    out.style.dim(`Balance score over ACTIVE, as GET /v1/workers: ${SCORE_MEANING}.`),
    ...(report.remoteWorkers.length > 0
      ? [
          out.style.dim(
            'REMOTE WORKER: those registered with each live node, as of its last heartbeat (TASKS: leased to it; LAST SEEN: its last request).',
          ),
        ]
      : []),
  );
}
