/**
 * `orchestrator list [--status s] [--workflow id] [--limit n] [--before id | --after id]`:
 * executions newest first, as an aligned table (or a JSON array of `ExecutionStatus`); `--before`
 * pages by cursor to older executions, `--after` back to newer ones.
 * @module
 */
import { type Command, Option } from 'commander';
import type { ExecutionState } from '../../types.js';
import { formatDuration, formatTime, printable } from '../format.js';
import { setup } from '../globals.js';
import { listFooter } from '../list-footer.js';
import { parseExecutionId, parsePositiveInt, parseState } from '../parse.js';
import { executionDuration } from '../render-status.js';
import { storeHint, withClient } from '../store-client.js';
import { statusColor } from '../style.js';
import { renderTable } from '../table.js';

interface ListOptions {
  status?: ExecutionState;
  workflow?: string;
  limit: number;
  before?: string;
  after?: string;
}

/** Default number of executions listed. */
export const DEFAULT_LIST_LIMIT = 20;

/** Registers `list`. */
export function register(program: Command): void {
  program
    .command('list')
    .description('list executions, newest first')
    .option(
      '--status <state>',
      'only executions in this state (pending, running, compensating, completed, failed, cancelled)',
      parseState,
    )
    .option('--workflow <id>', 'only executions of this workflow')
    .option('--limit <n>', 'how many to show', parsePositiveInt(10_000), DEFAULT_LIST_LIMIT)
    .option(
      '--before <id>',
      'only executions after this one (the next page after a list that ended with it)',
      parseExecutionId,
    )
    .addOption(
      new Option(
        '--after <id>',
        'only executions before this one, the nearest (the page before a list that began with it)',
      )
        .argParser(parseExecutionId)
        .conflicts('before'),
    )
    .action(async (options: ListOptions, command: Command) => {
      const { globals, out } = setup(command);
      const { executions, total } = await withClient(globals.store, (client) =>
        client.list({
          limit: options.limit,
          ...(options.status ? { status: options.status } : {}),
          ...(options.workflow ? { workflowId: options.workflow } : {}),
          ...(options.before ? { before: options.before } : {}),
          ...(options.after ? { after: options.after } : {}),
        }),
      );
      process.exitCode = 0;
      if (out.json) {
        out.data(executions);
        return;
      }
      if (executions.length === 0) {
        out.line(
          `No executions${options.status || options.workflow ? ' match' : ''}${options.before ? ` after ${options.before}` : ''}${options.after ? ` before ${options.after}` : ''} in store ${globals.storeLabel}${storeHint(globals.store)}.`,
        );
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
        s.workerId ?? '-',
        s.error ? printable(s.error.code) : '',
      ]);
      out.line(
        ...renderTable(
          ['ID', 'WORKFLOW', 'STATUS', 'STEPS', 'STARTED', 'DURATION', 'WORKER', 'ERROR'],
          rows,
          {
            header: out.style.dim,
          },
        ),
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
    });
}
