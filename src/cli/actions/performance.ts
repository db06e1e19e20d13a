/**
 * `orchestrator performance <workflowId>`: where a workflow's time goes, worked out from its
 * newest finished executions in the store, whichever process or node ran them — what
 * `GET /v1/workflows/:id/performance?source=store` answers, without a running service.
 * @module
 */
import type { Command } from 'commander';
import { DEFAULTS } from '../../config.js';
import type { StepDefinition } from '../../definition/types.js';
import { DEFAULT_STORED_RUNS, storedPerformance } from '../../performance/stored-performance.js';
import type { WorkflowPerformance } from '../../performance/workflow-performance.js';
import { CliError } from '../errors.js';
import { formatDuration, formatPercent, printable } from '../format.js';
import { setup } from '../globals.js';
import { inProcessStoreWarning, withClient } from '../store-client.js';
import { renderPairs, renderTable } from '../table.js';
import { unknownWorkflowLine } from '../unknown-workflow.js';

/** Runs `performance`. */
export async function performanceCommand(
  workflowId: string,
  options: { limit?: number; slowThreshold?: number },
  command: Command,
): Promise<void> {
  const { globals, out } = setup(command);
  const warning = inProcessStoreWarning(globals.store);
  if (warning !== null) out.warn(warning);
  const view = await withClient(globals, async (client) => {
    const known = await client.workflowIds();
    if (!known.includes(workflowId)) {
      throw new CliError(unknownWorkflowLine(workflowId, known), { code: 'WORKFLOW_NOT_FOUND' });
    }
    const definitions = new Map((await client.store.listDefinitions(workflowId)).map((d) => [d.version, d]));
    return storedPerformance(
      {
        store: client.store,
        definition: async (_id, version) => {
          const def = definitions.get(version);
          return def ? { steps: def.steps as StepDefinition[] } : null;
        },
      },
      workflowId,
      options.limit ?? DEFAULT_STORED_RUNS,
      options.slowThreshold ?? DEFAULTS.slowThreshold,
    );
  });
  process.exitCode = 0;
  if (out.json) {
    out.data({ source: 'store', store: globals.storeLabel, ...view });
    return;
  }
  out.line(
    out.style.bold(`Performance of workflow ${printable(workflowId)} in ${printable(globals.storeLabel)}`),
  );
  out.line(out.style.dim(`From ${view.recorded}.`));
  out.line(...summary(view));
  if (view.steps.length > 0) out.line('', ...stepTable(view));
  out.line('', out.style.bold('Suggestions'));
  if (view.suggestions.length === 0) {
    const avg = view.stats.count > 0 ? formatDuration(view.stats.avg) : 'no runs';
    out.line(
      `  none: the average (${avg}) is within the slow threshold of ${formatDuration(view.slowThresholdMs)}`,
    );
  } else {
    out.line(...view.suggestions.map((s) => `  - ${printable(s)}`));
  }
}

function summary(view: WorkflowPerformance): string[] {
  const { stats, bottleneck } = view;
  if (stats.count === 0) return renderPairs([['runs', '0']]);
  return renderPairs([
    ['runs', String(stats.count)],
    ['average', formatDuration(stats.avg)],
    [
      'p95',
      `${formatDuration(stats.p95)}  (p50 ${formatDuration(stats.p50)}, max ${formatDuration(stats.max)})`,
    ],
    [
      'bottleneck',
      bottleneck === null
        ? '-'
        : `${printable(bottleneck.step)}  (${formatPercent(bottleneck.share)} of the step time)`,
    ],
  ]);
}

/**
 * The steps' figures. QUEUED, the average wait for a remote worker to take a step's task (part of
 * its time), is shown when some step waited at all: a workflow of local actions never does.
 */
function stepTable(view: WorkflowPerformance): string[] {
  const queued = view.steps.some((s) => s.queueAvg > 0);
  const header = ['STEP', 'RUNS', 'AVG', 'P95', 'WAITING', 'COMPENSATION', 'RETRIES', 'FAILURES', 'SHARE'];
  if (queued) header.splice(5, 0, 'QUEUED');
  return renderTable(
    header,
    view.steps.map((s) => {
      const row = [
        printable(s.name),
        String(s.count),
        formatDuration(s.avg),
        formatDuration(s.p95),
        formatDuration(s.waitAvg),
        s.compensations > 0 ? formatDuration(s.compensationAvg) : '-',
        String(s.retries),
        String(s.failures),
        formatPercent(s.share),
      ];
      if (queued) row.splice(5, 0, formatDuration(s.queueAvg));
      return row;
    }),
  );
}
