/**
 * A workflow's performance figures for `GET /v1/workflows/:id/performance` and the dashboard's
 * workflow page, from where they were asked for: this node's optimizer (`node`), or the newest
 * finished executions in the store, whichever node ran them (`store`).
 * @module
 */
import type { Orchestrator } from '../orchestrator.js';
import { DEFAULT_STORED_RUNS, storedPerformance } from '../performance/stored-performance.js';
import { type WorkflowPerformance, workflowPerformance } from '../performance/workflow-performance.js';

/** Where the figures can come from: this node's optimizer, or the store. */
export const FIGURES_SOURCES = ['node', 'store'] as const;

/** Where the figures come from. */
export type FiguresSource = (typeof FIGURES_SOURCES)[number];

/**
 * The figures of `workflowId` from `source`; with `store`, of its `limit` newest finished
 * executions (`runs`: how many were read).
 */
export async function figuresOf(
  orch: Orchestrator,
  workflowId: string,
  source: FiguresSource,
  limit = DEFAULT_STORED_RUNS,
): Promise<WorkflowPerformance & { runs?: number }> {
  if (source === 'node') return workflowPerformance(orch.performanceOptimizer, workflowId);
  const engine = orch.workflowEngine;
  return storedPerformance(
    { store: orch.store, definition: (id, version) => engine.getWorkflow(id, version) },
    workflowId,
    limit,
    orch.performanceOptimizer.slowThreshold,
  );
}
