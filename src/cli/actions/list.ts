/**
 * `orchestrator list [--status s] [--workflow id] [--limit n] [--before id | --after id]`:
 * executions newest first, as an aligned table (or a JSON array of `ExecutionStatus`); `--before`
 * pages by cursor to older executions, `--after` back to newer ones.
 * @module
 */
import type { Command } from 'commander';
import type { ListOptions } from '../commands/list.js';
import { formatDuration, formatTime, idCell, printable } from '../format.js';
import { setup } from '../globals.js';
import { listFooter } from '../list-footer.js';
import { executionDuration } from '../render-status.js';
import { storeHint, withClient } from '../store-client.js';
import { statusColor } from '../style.js';
import { renderTable } from '../table.js';
import { unknownWorkflowLine } from '../unknown-workflow.js';

/** Runs `list`. */
export async function listCommand(options: ListOptions, command: Command): Promise<void> {
  const { globals, out } = setup(command);
  const { executions, total, known } = await withClient(globals, async (client) => {
    const page = await client.list({
      limit: options.limit,
      ...(options.status ? { status: options.status } : {}),
      ...(options.workflow ? { workflowId: options.workflow } : {}),
      ...(options.before ? { before: options.before } : {}),
      ...(options.after ? { after: options.after } : {}),
    });
    // No match for a workflow may be a typo: the ids the store knows are named below.
    const known = page.total === 0 && options.workflow && !out.json ? await client.workflowIds() : null;
    return { ...page, known };
  });
  process.exitCode = 0;
  if (out.json) {
    out.data(executions);
    return;
  }
  if (executions.length === 0) {
    out.line(
      `No executions${options.status || options.workflow ? ' match' : ''}${options.before ? ` older than ${options.before}` : ''}${options.after ? ` newer than ${options.after}` : ''} in store ${printable(globals.storeLabel)}${storeHint(globals.store)}.`,
    );
    if (known !== null && options.workflow && !known.includes(options.workflow)) {
      out.line('', out.style.yellow(unknownWorkflowLine(options.workflow, known)));
    }
    return;
  }
  const now = Date.now();
  const rows = executions.map((s) => [
    s.id,
    s.workflowId,
    statusColor(out.style, s.status),
    `${s.stepsCompleted}/${s.totalSteps}`,
    formatTime(s.startedAt),
    formatDuration(executionDuration(s, now)),
    s.workerId ? idCell(s.workerId) : '-',
    s.error ? printable(s.error.code) : '',
  ]);
  out.line(
    ...renderTable(['ID', 'WORKFLOW', 'STATUS', 'STEPS', 'STARTED', 'DURATION', 'WORKER', 'ERROR'], rows, {
      header: out.style.dim,
    }),
  );
  const footer = listFooter({
    count: executions.length,
    limit: options.limit,
    first: executions[0]!.id,
    last: executions[executions.length - 1]!.id,
    total,
    ...(options.before ? { before: options.before } : {}),
    ...(options.after ? { after: options.after } : {}),
  });
  out.line('', out.style.dim(footer));
}
