/**
 * A workflow's performance view from the store: the optimizer's figures of the newest finished
 * executions the store holds, whichever node ran them — in cluster mode the whole cluster's — where
 * `PerformanceOptimizer` holds the runs one node recorded since it started. What
 * `GET /v1/workflows/:id/performance?source=store` answers.
 *
 * The runs are read back from the stored step records, into an optimizer of their own: each step's
 * latest visit (a step a jump ran again counts once per execution), its attempts, the time between
 * them, how long a remote worker's tasks waited to be taken (`queuedMs`) and its compensation.
 * @module
 */
import { toMs } from '../definition/plan.js';
import type { StepDefinition } from '../definition/types.js';
import { stepRunInfo } from '../engine/step-timing.js';
import { type ListPosition, newestFirst } from '../store/list-position.js';
import type { ExecutionSnapshot, StepRecord, Store } from '../store/store.js';
import { PerformanceOptimizer } from './performance-optimizer.js';
import { type WorkflowPerformance, workflowPerformance } from './workflow-performance.js';

/** Finished executions read when no count is asked for. */
export const DEFAULT_STORED_RUNS = 100;
/** The most finished executions one view reads. */
export const MAX_STORED_RUNS = 1000;

/** The finished states, each read with its own listing (newest first). */
const FINISHED = ['completed', 'failed', 'cancelled'] as const;

/** What the view reads: the store's executions and the definition version they ran. */
export interface StoredRunsSource {
  store: Pick<Store, 'listExecutions'>;
  /** The steps of a definition version, for their kinds and timeouts; null when it is gone. */
  definition(workflowId: string, version: number): Promise<{ steps: readonly StepDefinition[] } | null>;
}

/**
 * The performance view of `workflowId` from its `limit` newest finished executions in the store
 * (fewer when the store holds fewer), with suggestions above `slowThresholdMs`.
 */
export async function storedPerformance(
  source: StoredRunsSource,
  workflowId: string,
  limit: number,
  slowThresholdMs: number,
): Promise<WorkflowPerformance & { runs: number }> {
  const po = new PerformanceOptimizer({ slowThreshold: slowThresholdMs });
  const kinds = new Map<number, StepFacts | null>();
  const perVersion = new Map<number, number>();
  let n = 0;
  // Newest first: the optimizer keeps the newest version's figures and leaves older runs out.
  for await (const run of newestFinished(source.store, workflowId, limit)) {
    const version = run.execution.workflowVersion;
    if (!kinds.has(version)) kinds.set(version, stepFacts(await source.definition(workflowId, version)));
    record(po, run, kinds.get(version) ?? null);
    perVersion.set(version, (perVersion.get(version) ?? 0) + 1);
    n++;
  }
  const view = workflowPerformance(po, workflowId);
  // The figures are the newest version's: when older ones were read too, how many were of it.
  const ofVersion = view.version === null ? n : (perVersion.get(view.version) ?? 0);
  const of =
    view.version === null
      ? ''
      : ofVersion < n
        ? `; the ${ofVersion} of v${view.version}`
        : `, of v${view.version}`;
  return {
    ...view,
    runs: n,
    recorded:
      n === 0
        ? 'no finished execution in the store yet'
        : `the newest ${n} finished execution${n === 1 ? '' : 's'} in the store, every node's${of}`,
  };
}

/** Executions read per page of each finished state: what is held at once is three such pages. */
const PAGE = 50;

/**
 * The `limit` newest finished executions of `workflowId`, newest first: the listings of the three
 * finished states merged, a page of each at a time (their outputs can be large: a thousand of them
 * at once could take gigabytes).
 */
async function* newestFinished(
  store: Pick<Store, 'listExecutions'>,
  workflowId: string,
  limit: number,
): AsyncGenerator<ExecutionSnapshot> {
  const lists = FINISHED.map((status) => ({
    status,
    page: [] as ExecutionSnapshot[],
    before: undefined as ListPosition | undefined,
    ended: false,
  }));
  for (let taken = 0; taken < limit; taken++) {
    for (const list of lists) {
      if (list.page.length > 0 || list.ended) continue;
      const size = Math.min(PAGE, limit - taken);
      const { status, before } = list;
      list.page = await store.listExecutions({
        status,
        workflowId,
        limit: size,
        ...(before ? { before } : {}),
      });
      list.ended = list.page.length < size;
      const last = list.page.at(-1)?.execution;
      if (last) list.before = { createdAt: last.createdAt, id: last.id };
    }
    let newest: (typeof lists)[number] | null = null;
    for (const list of lists) {
      const head = list.page[0]?.execution;
      if (head && (newest === null || newestFirst(head, newest.page[0]!.execution) < 0)) newest = list;
    }
    if (newest === null) return;
    yield newest.page.shift()!;
  }
}

/** Of each step and branch a definition names: whether the optimizer times it, and its timeout. */
type StepFacts = Map<string, { timed: boolean; timeoutMs: number | null }>;

function stepFacts(def: { steps: readonly StepDefinition[] } | null): StepFacts | null {
  if (def === null) return null;
  const facts: StepFacts = new Map();
  const add = (step: StepDefinition) => {
    const timeout = 'timeout' in step ? step.timeout : undefined;
    facts.set(step.name, {
      timed: step.condition === undefined,
      timeoutMs: timeout === undefined ? null : toMs(timeout),
    });
    if (step.parallel !== undefined) for (const branch of step.parallel) add(branch);
  };
  for (const step of def.steps) add(step);
  return facts;
}

/** Records one stored execution's runs as the engine recorded them when it ran them. */
function record(po: PerformanceOptimizer, run: ExecutionSnapshot, facts: StepFacts | null): void {
  const ex = run.execution;
  const version = ex.workflowVersion;
  const timedOut = ex.error?.code === 'WORKFLOW_TIMEOUT';
  // Branches before their parallel step, as they end before it.
  const steps = [...run.steps].sort(
    (a, b) => endOf(a) - endOf(b) || Number(b.parent !== null) - Number(a.parent !== null),
  );
  for (const rec of steps) {
    const fact = facts?.get(rec.name);
    if (rec.startedAt === null || fact?.timed === false || (fact === undefined && rec.decision !== null)) {
      continue;
    }
    // Completed and failed runs, and those the workflow's timeout cut short (failed, up to then).
    const failed = rec.status === 'failed' || (timedOut && rec.status === 'cancelled');
    if (rec.status !== 'completed' && !failed) continue;
    const durationMs = rec.durationMs ?? (ex.completedAt ?? rec.startedAt) - rec.startedAt;
    // As the engine told it when it ran the step.
    const info = stepRunInfo(rec, fact?.timeoutMs ?? null, failed, rec.parent ?? undefined, version);
    po.recordStep(ex.workflowId, rec.name, durationMs, info);
    // A compensation that ended, completed or failed for good: its first attempt to its end.
    const comp = rec.compensation;
    if (comp !== null && comp.status !== 'running' && comp.completedAt !== undefined) {
      po.recordCompensation(ex.workflowId, rec.name, comp.completedAt - comp.startedAt, { version });
    }
  }
  // One that ended while still queued (cancelled, or timed out waiting) never ran: its time is its
  // wait, left out of every duration figure, as the engine leaves it out when it ends one.
  if (ex.completedAt === null || ex.startedAt === null) return;
  po.recordExecution(ex.workflowId, ex.completedAt - ex.startedAt, version, ex.startedAt - ex.createdAt);
}

function endOf(rec: StepRecord): number {
  return rec.completedAt ?? rec.startedAt ?? 0;
}
