/**
 * What the dashboard's pages read from: the public engine API (`orch`), the node and remote-worker
 * lists of `GET /v1/workers`, and the recent-time series fed by orchestrator events. Pages never
 * touch the store.
 * @module
 */
import type { Orchestrator } from '../../orchestrator.js';
import type { RemoteWorkerSummary } from '../../remote/protocol.js';
import { type ExecutionState, TERMINAL_STATES } from '../../types.js';
import type { NodesProvider } from '../routes/monitoring.js';
import type { RecentSeries } from './series.js';

/** Dependencies of every page. */
export interface DashboardDeps {
  orch: Orchestrator;
  nodes: NodesProvider;
  /** The remote workers registered with the app's hub (none when it serves none). */
  remoteWorkers: () => RemoteWorkerSummary[];
  series: RecentSeries;
  /** Wall-clock time, epoch ms. */
  now: () => number;
  /** Executions per page of the list. */
  pageSize: number;
  /** How long an alert counts as active, ms. */
  alertWindowMs: number;
}

/** Whether an execution may still change. */
export function isLive(status: ExecutionState): boolean {
  return !TERMINAL_STATES.has(status);
}
