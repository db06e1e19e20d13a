/**
 * A workflow's performance view: what the dashboard's workflow page and
 * `GET /v1/workflows/:id/performance` show of the {@link PerformanceOptimizer}'s figures — the
 * runs they come from, execution-time statistics, per-step statistics, the bottleneck step with
 * its share of the step time, and the suggestions. Built in one place so both show the same.
 * @module
 */
import type { ExecutionStats, PerformanceOptimizer, StepStats } from './performance-optimizer.js';

/** One step's statistics, ms, with its name (the steps keep their first-recorded order). */
export interface NamedStepStats extends StepStats {
  name: string;
}

/** The performance view of one workflow (durations in ms). */
export interface WorkflowPerformance {
  workflowId: string;
  /** The definition version the figures describe: the newest that ran here; `null` when none is recorded. */
  version: number | null;
  /** Where the figures come from, as the dashboard words it: "recorded since this node started, of v2". */
  recorded: string;
  /** Execution-time statistics (all 0 with no run recorded). */
  stats: ExecutionStats;
  /** Each recorded step, in first-recorded order ([] with none). */
  steps: NamedStepStats[];
  /** The bottleneck step and its share of the step time, 0..1; `null` when no step took time. */
  bottleneck: { step: string; share: number } | null;
  /** Executions averaging above this many ms get suggestions. */
  slowThresholdMs: number;
  /** `suggestOptimization` for the recorded average ([] at or under the slow threshold, or with no run). */
  suggestions: string[];
}

/** Where the optimizer's figures come from: this node's runs of the newest version that ran. */
export function recordedHint(version: number | null): string {
  return `recorded since this node started${version === null ? '' : `, of v${version}`}`;
}

/**
 * The performance view of `workflowId` from `po` (this node's recorded runs). A workflow with no
 * run recorded gets zeros, no steps, no bottleneck and no suggestions.
 * @throws ValidationError when `workflowId` is not a non-empty string.
 */
export function workflowPerformance(po: PerformanceOptimizer, workflowId: string): WorkflowPerformance {
  const stats = po.getStats(workflowId);
  const stepStats = po.getStepStats(workflowId);
  const bottleneck = po.identifyBottleneck(workflowId);
  const version = po.getVersion(workflowId);
  return {
    workflowId,
    version,
    recorded: recordedHint(version),
    stats,
    steps: Object.entries(stepStats).map(([name, s]) => ({ name, ...s })),
    bottleneck: bottleneck === null ? null : { step: bottleneck, share: stepStats[bottleneck]?.share ?? 0 },
    slowThresholdMs: po.slowThreshold,
    suggestions: po.suggestOptimization(workflowId, stats.avg),
  };
}
