/**
 * Bounded reads of the store for the HTTP routes and the dashboard pages. A store that does not
 * answer (a network partition: PostgreSQL's connect timeout is 10 s, its query timeout 30 s) held
 * each such request for that long, and a dashboard polling every 2 s piled them up. A read waits
 * at most {@link STORE_WAIT_MS} on the orchestrator's clock, then the request answers as it does
 * on a store error: with what this node knows where the engine falls back so (the workflow
 * listings, a workflow known here), else 503 `STORE_UNAVAILABLE`. The read goes on in the
 * background, and a later request sees what it found.
 * @module
 */
import type { WorkflowDefinition } from '../definition/types.js';
import { OrchestratorError } from '../errors.js';
import type { Orchestrator } from '../orchestrator.js';
import { within } from '../within.js';
import type { NodeInfo, NodesProvider } from './routes/monitoring.js';
import { type FiguresSource, figuresOf } from './workflow-figures.js';

/** How long a request waits for a read of the store (as `GET /metrics` for the definitions). */
export const STORE_WAIT_MS = 1000;

/** `STORE_UNAVAILABLE` for a read of `what` that did not answer in time (the client sees the usual message). */
function notAnswered(what: string): OrchestratorError {
  return new OrchestratorError(
    'STORE_UNAVAILABLE',
    `The store did not answer the read of ${what} within ${STORE_WAIT_MS} ms`,
  );
}

/** `work`'s value, or its error thrown; `fallback()` when it did not settle within the wait. */
async function bounded<T>(orch: Orchestrator, work: Promise<T>, fallback: () => T): Promise<T> {
  const settled = await within(work, STORE_WAIT_MS, orch.config.clock);
  if (settled === undefined) return fallback();
  if (!settled.ok) throw settled.error;
  return settled.value;
}

/** `refreshWorkflows`, waited for at most the bound: the listings then show what is known here. */
export function refreshWithin(orch: Orchestrator): Promise<void> {
  return bounded(orch, orch.workflowEngine.refreshWorkflows(), () => undefined);
}

/**
 * `getWorkflow`, waited for at most the bound: then the version known here (the latest, or
 * `version`), as when the store's re-read fails.
 * @throws OrchestratorError `STORE_UNAVAILABLE` when none is known here.
 */
export function workflowWithin(
  orch: Orchestrator,
  id: string,
  version?: number,
): Promise<WorkflowDefinition | null> {
  return bounded(orch, orch.workflowEngine.getWorkflow(id, version), () => {
    const known = orch.workflowEngine.listWorkflowVersions(id);
    const def = version === undefined ? known.at(-1) : known.find((d) => d.version === version);
    if (def) return def;
    throw notAnswered(`workflow '${id}'${version === undefined ? '' : ` version ${version}`}`);
  });
}

/**
 * The nodes `nodes` lists, waited for at most the bound.
 * @throws OrchestratorError `STORE_UNAVAILABLE` when they did not come in time (as when the
 *   store's read fails: without the registry the node list would be this node alone).
 */
export async function nodesWithin(orch: Orchestrator, nodes: NodesProvider): Promise<NodeInfo[]> {
  return bounded(
    orch,
    Promise.resolve().then(() => nodes(orch)),
    () => {
      throw notAnswered('the node registry');
    },
  );
}

/**
 * `figuresOf` for the dashboard's workflow page, waited for at most the bound: `node` figures do
 * not read the store; `store` ones do, of the newest `DEFAULT_STORED_RUNS` finished executions.
 * @throws OrchestratorError `STORE_UNAVAILABLE` when the store's did not come in time (nothing
 *   known here stands for them).
 */
export function figuresWithin(
  orch: Orchestrator,
  workflowId: string,
  source: FiguresSource,
): ReturnType<typeof figuresOf> {
  if (source === 'node') return figuresOf(orch, workflowId, source);
  return bounded(orch, figuresOf(orch, workflowId, source), () => {
    throw notAnswered(`the finished executions of workflow '${workflowId}'`);
  });
}
