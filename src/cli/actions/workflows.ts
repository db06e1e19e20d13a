/**
 * `orchestrator workflows [workflowId [version]]`: the workflows defined in the store — each with
 * its latest version, how many versions it has, its steps, when the latest was defined and its
 * executions (unfinished, and in all as the metrics count them: those retention deleted too) — or, with an id, that workflow's definition (the latest
 * version, or the one given) as JSON, as `GET /v1/workflows/:id` answers it.
 * @module
 */
import type { Command } from 'commander';
import { emptyAggregates } from '../../store/states.js';
import type { DefinitionRecord } from '../../store/store.js';
import { CliError } from '../errors.js';
import { formatTime, idCell, plural, printable } from '../format.js';
import { setup } from '../globals.js';
import { numberRanges } from '../number-ranges.js';
import { inProcessStoreWarning, withClient } from '../store-client.js';
import { renderTable } from '../table.js';
import { unknownWorkflowLine } from '../unknown-workflow.js';

/** One workflow of the list. */
interface WorkflowRow {
  workflowId: string;
  version: number;
  versions: number;
  steps: number;
  definedAt: string;
  unfinished: number;
  executions: number;
}

/** Runs `workflows`. */
export async function workflowsCommand(
  workflowId: string | undefined,
  version: number | undefined,
  command: Command,
): Promise<void> {
  const { globals, out } = setup(command);
  const warning = inProcessStoreWarning(globals.store);
  if (warning !== null) out.warn(warning);
  if (workflowId !== undefined) {
    const def = await withClient(globals, async (client) => {
      const versions = await client.store.listDefinitions(workflowId);
      if (versions.length === 0) {
        throw new CliError(unknownWorkflowLine(workflowId, await client.workflowIds()), {
          code: 'WORKFLOW_NOT_FOUND',
        });
      }
      const found = version === undefined ? latest(versions) : versions.find((v) => v.version === version);
      if (!found) {
        const known = versions.map((v) => v.version).sort((a, b) => a - b);
        throw new CliError(
          `Workflow ${printable(workflowId)} has no version ${version} (it has ${plural(known.length, 'version')}: ${numberRanges(known)})`,
          { code: 'WORKFLOW_NOT_FOUND' },
        );
      }
      return found;
    });
    process.exitCode = 0;
    // The definition as the API gives it, for people and scripts alike.
    out.data({
      id: def.id,
      version: def.version,
      steps: def.steps,
      options: def.options,
      createdAt: new Date(def.createdAt).toISOString(),
    });
    return;
  }
  const rows = await withClient(globals, async (client) => {
    const all = await client.store.listDefinitions();
    const counts = await client.store.aggregateByWorkflow();
    const byId = new Map<string, DefinitionRecord[]>();
    for (const def of all) byId.set(def.id, [...(byId.get(def.id) ?? []), def]);
    return [...byId.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, versions]): WorkflowRow => {
        const last = latest(versions);
        const e = (counts.get(id) ?? emptyAggregates()).byStatus;
        return {
          workflowId: id,
          version: last.version,
          versions: versions.length,
          steps: last.steps.length,
          definedAt: new Date(last.createdAt).toISOString(),
          unfinished: e.pending + e.running + e.compensating,
          executions: e.pending + e.running + e.compensating + e.completed + e.failed + e.cancelled,
        };
      });
  });
  process.exitCode = 0;
  if (out.json) {
    out.data(rows);
    return;
  }
  if (rows.length === 0) {
    out.line(`No workflow is defined in store ${printable(globals.storeLabel)}.`);
    return;
  }
  out.line(
    ...renderTable(
      ['WORKFLOW', 'VERSION', 'VERSIONS', 'STEPS', 'DEFINED', 'UNFINISHED', 'EXECUTIONS'],
      rows.map((r) => [
        idCell(r.workflowId),
        `v${r.version}`,
        String(r.versions),
        String(r.steps),
        formatTime(new Date(r.definedAt)),
        String(r.unfinished),
        String(r.executions),
      ]),
      { header: out.style.dim },
    ),
    '',
    out.style.dim(
      'VERSION: the latest; STEPS: its top-level steps; EXECUTIONS: every one started, of every version, those retention deleted too (UNFINISHED: pending, running, compensating).',
    ),
  );
}

function latest(versions: readonly DefinitionRecord[]): DefinitionRecord {
  return versions.reduce((a, b) => (b.version > a.version ? b : a));
}
