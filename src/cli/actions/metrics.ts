/**
 * `orchestrator metrics [--workflow id]`: execution counts, success / retry / compensation
 * rates, recent durations and the worker load, computed from the store — this process runs
 * nothing, so it has no live latency histograms (a running service's `GET /v1/metrics` has those).
 * @module
 */
import type { Command } from 'commander';
import { emptyAggregates, sumAggregates } from '../../store/states.js';
import { formatDuration, formatPercent, plural, printable } from '../format.js';
import { setup } from '../globals.js';
import {
  durationStats,
  metricsFromAggregates,
  recentDurations,
  type StoreMetrics,
  workersReport,
} from '../reports.js';
import { inProcessStoreWarning, withClient } from '../store-client.js';
import { renderPairs, renderTable } from '../table.js';
import { unknownWorkflowLine } from '../unknown-workflow.js';

/** The retry rate as a percentage, or '-' when no step ran (the rate's 0 would read as 'no retries'). */
function overSteps(m: StoreMetrics): string {
  return m.stepsRun > 0 ? formatPercent(m.retryRate) : '-';
}

/**
 * A rate over finished executions as a percentage, or '-' when none has finished: the 0 the
 * rates hold then (as in getMetrics() and GET /v1/metrics) would read as 'none succeeded'.
 */
function overFinished(m: StoreMetrics, rate: number): string {
  const e = m.executions;
  return e.completed + e.failed + e.cancelled > 0 ? formatPercent(rate) : '-';
}

/** Runs `metrics`. */
export async function metricsCommand(options: { workflow?: string }, command: Command): Promise<void> {
  const { globals, out } = setup(command);
  const warning = inProcessStoreWarning(globals.store);
  if (warning !== null) out.warn(warning);
  const result = await withClient(globals, async (client) => {
    const durations = durationStats(await recentDurations(client, options.workflow));
    // Store-wide, as in a live orchestrator's snapshot (for one workflow too); in cluster mode
    // every live node with the load its balancer gives it.
    const { loadDistribution } = await workersReport(client);
    const workflows: { workflowId: string; metrics: StoreMetrics }[] = [];
    if (options.workflow) {
      const overall = metricsFromAggregates(await client.store.aggregate(options.workflow));
      // A workflow with no execution may be a typo: the ids the store knows are named below.
      const known = overall.executions.total === 0 ? await client.workflowIds() : [];
      const unknown = overall.executions.total === 0 && !known.includes(options.workflow);
      return { overall, durations, loadDistribution, workflows, unknown: unknown ? known : null };
    }
    // One grouped read: the overall counts are the sum of the per-workflow ones.
    const byWorkflow = await client.store.aggregateByWorkflow();
    for (const id of await client.workflowIds()) {
      workflows.push({
        workflowId: id,
        metrics: metricsFromAggregates(byWorkflow.get(id) ?? emptyAggregates()),
      });
    }
    return {
      overall: metricsFromAggregates(sumAggregates(byWorkflow.values())),
      durations,
      loadDistribution,
      workflows,
      unknown: null,
    };
  });
  process.exitCode = 0;
  const { overall, durations, loadDistribution, workflows, unknown } = result;
  if (out.json) {
    out.data({
      source: 'store',
      store: globals.storeLabel,
      ...(options.workflow ? { workflowId: options.workflow } : {}),
      ...overall,
      avgExecutionMs: durations.avgMs,
      p95ExecutionMs: durations.p95Ms,
      durationSample: durations.count,
      loadDistribution,
      ...(options.workflow
        ? {}
        : { workflows: workflows.map((w) => ({ workflowId: w.workflowId, ...w.metrics })) }),
    });
    return;
  }
  const e = overall.executions;
  out.line(
    out.style.bold(
      `Metrics of ${options.workflow ? `workflow ${printable(options.workflow)}` : 'all workflows'} in ${printable(globals.storeLabel)}`,
    ),
    ...renderPairs([
      [
        'executions',
        `${e.total} total: ${e.completed} completed, ${e.failed} failed, ${e.cancelled} cancelled, ${e.running} running, ${e.pending} pending, ${e.compensating} compensating`,
      ],
      ['success rate', `${overFinished(overall, overall.successRate)}  (completed / finished)`],
      ['retry rate', `${overSteps(overall)}  (steps that needed a retry / steps run)`],
      [
        'compensation rate',
        `${overFinished(overall, overall.compensationRate)}  (executions that compensated / finished)`,
      ],
      ['avg duration', durations.count > 0 ? formatDuration(durations.avgMs) : '-'],
      [
        'p95 duration',
        durations.count > 0
          ? `${formatDuration(durations.p95Ms)}  (over the ${plural(durations.count, 'latest finished execution')})`
          : '-',
      ],
    ]),
  );
  if (unknown !== null && options.workflow !== undefined) {
    out.line('', out.style.yellow(unknownWorkflowLine(options.workflow, unknown)));
  }
  if (workflows.length > 0) {
    const rows = workflows.map(({ workflowId, metrics: w }) => [
      workflowId,
      String(w.executions.total),
      String(w.executions.running + w.executions.pending + w.executions.compensating),
      String(w.executions.completed),
      String(w.executions.failed),
      String(w.executions.cancelled),
      overFinished(w, w.successRate),
      overSteps(w),
      overFinished(w, w.compensationRate),
    ]);
    out.line(
      '',
      ...renderTable(
        [
          'WORKFLOW',
          'TOTAL',
          'ACTIVE',
          'COMPLETED',
          'FAILED',
          'CANCELLED',
          'SUCCESS',
          'RETRY',
          'COMPENSATION',
        ],
        rows,
        { header: out.style.dim },
      ),
    );
  }
  out.line(
    '',
    out.style.dim(
      'Computed from the store: counts and rates from its aggregates, durations from recent executions. Live latency histograms exist only inside a running orchestrator (`orchestrator serve`, GET /v1/metrics).',
    ),
  );
}
