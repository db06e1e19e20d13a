/**
 * Monitoring routes under `/v1`: the metrics snapshot, worker load and node health, and recent
 * alerts. Nodes come from a {@link NodesProvider} so a cluster-wide view can replace the
 * local one without touching the route.
 * @module
 */

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Orchestrator } from '../../orchestrator.js';
import type { RemoteWorkerSummary } from '../../remote/protocol.js';
import { toJson } from '../json.js';
import {
  alertSchema,
  blankIsAbsent,
  errorResponses,
  metricsSnapshotSchema,
  requestWorkflowId,
  workersSchema,
} from '../schemas.js';
import { nodesWithin, workflowWithin } from '../store-wait.js';
import { workflowNotFound } from '../workflow-not-found.js';

/** One engine node as `GET /v1/workers` reports it. Extra fields pass through. */
export interface NodeInfo {
  id: string;
  /** When the node last proved it was alive. */
  lastHeartbeat: Date;
  /** Executions it runs. */
  running: number;
  /** Executions waiting for one of its slots. */
  queued: number;
  [extra: string]: unknown;
}

/** Lists the nodes running executions. */
export type NodesProvider = (orch: Orchestrator) => NodeInfo[] | Promise<NodeInfo[]>;

/**
 * The default provider: the nodes registered in the store (one row per node, written by its
 * heartbeat), with this node's live load; `alive` is false once a heartbeat is older than a lease.
 */
export const localNodes: NodesProvider = async (orch) =>
  (await orch.getNodes()).map((n) => ({
    ...(n.self ? { ...n, ...orch.getLocalLoad() } : n),
    startedAt: new Date(n.startedAt),
    lastHeartbeat: new Date(n.lastHeartbeat),
  }));

/** Dependencies of the monitoring routes. */
export interface MonitoringDeps {
  orch: Orchestrator;
  nodes: NodesProvider;
  /** The remote workers registered with the app's hub (none when it serves none). */
  remoteWorkers: () => RemoteWorkerSummary[];
}

type MetricsJson = z.output<typeof metricsSnapshotSchema>;
type WorkersJson = z.output<typeof workersSchema>;
type AlertJson = z.output<typeof alertSchema>;

/** Registers the monitoring routes on a `/v1`-prefixed scope. */
export async function monitoringRoutes(scope: FastifyInstance, deps: MonitoringDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { orch } = deps;

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Metrics snapshot (SPEC §5), for all workflows or one',
        description:
          'A `workflowId` that is not defined is a 404 WORKFLOW_NOT_FOUND (as `GET /v1/workflows/:id`), not a snapshot of zeros.',
        tags: ['monitoring'],
        querystring: z.strictObject({
          // Checked as GET /v1/executions checks it: control characters, spaces, '..' are a 400.
          workflowId: blankIsAbsent(requestWorkflowId().optional(), 'Only this workflow'),
        }),
        response: { 200: metricsSnapshotSchema, ...errorResponses(400, 404, 503) },
      },
    },
    async (req) => {
      const { workflowId } = req.query;
      // Read as GET /v1/workflows/:id reads it (the store, for one defined on another node).
      if (workflowId !== undefined && !(await workflowWithin(orch, workflowId))) {
        throw workflowNotFound(orch, workflowId);
      }
      return toJson(orch.getMetrics(workflowId)) as MetricsJson;
    },
  );

  app.get(
    '/workers',
    {
      schema: {
        summary: 'Load per worker, balance, the health of engine nodes, and the remote workers',
        description:
          'The nodes come from the store: one that does not answer within a second is a 503 STORE_UNAVAILABLE, as one that fails. ' +
          '`remoteWorkers` are those registered with this node (each node keeps its own).',
        tags: ['monitoring'],
        response: { 200: workersSchema, ...errorResponses(503) },
      },
    },
    async () => {
      const lb = orch.loadBalancer;
      const threshold = orch.config.alerts.imbalanceThreshold;
      const load = lb.getLoadDistribution();
      const nodes = await nodesWithin(orch, deps.nodes);
      return toJson({
        workers: lb.getWorkers().map((id) => ({ id, active: load[id] ?? 0 })),
        balanced: lb.isBalanced(threshold),
        threshold,
        balanceScore: lb.balanceScore(),
        nodes,
        remoteWorkers: deps.remoteWorkers(),
      }) as WorkersJson;
    },
  );

  app.get(
    '/alerts',
    {
      schema: {
        summary: 'Recent alerts, oldest first (at most 100)',
        tags: ['monitoring'],
        response: { 200: z.object({ alerts: z.array(alertSchema) }), ...errorResponses() },
      },
    },
    async () => ({ alerts: orch.getAlerts().map((a) => toJson(a) as AlertJson) }),
  );
}
