/**
 * Workflow versions this node lacks handlers for. A node that takes an execution it cannot run (it
 * was placed here, or claimed as an orphan) does not hold it: it releases its lease at once, so a
 * node that has the handlers claims it, and remembers the version so that its claims skip that
 * version's executions from then on (rather than claim and release them every round). Each claim
 * looks at the remembered versions again: handlers registered since (remote workers, a later
 * `registerAction`) make a version claimable here again. An execution that no live node can run
 * stays in the store, unowned and unfinished, until a node with the handlers claims it. An
 * execution whose workflow version this node cannot read (a newer release defined it) is let go the
 * same way, and its version skipped for as long as this node runs. One whose version has no stored
 * definition too, but that definition is read again one `sweepInterval` later, then at doubling
 * intervals up to a minute while it stays missing: it may only not have been visible yet (another
 * node's define), or be stored again, and a version skipped until a restart left its executions to
 * other nodes — or to none.
 * @module
 */
import { intervalPassed } from '../clock.js';
import type { Plan, PlanActionStep, PlanParallelStep } from '../definition/types.js';
import type { ExecutionRecord, SkippedVersion } from '../store/store.js';
import type { EngineContext } from './context.js';

/** The longest wait between two reads of a definition that stays missing, in ms. */
const MAX_REREAD_MS = 60_000;

interface Entry {
  workflowId: string;
  version: number;
  /** Null: this node cannot run the version (unreadable here, or no definition is stored). */
  plan: Plan | null;
  /** No definition was stored: when it was last read, and how long to wait before the next read. */
  missing: { readAt: number; waitMs: number } | null;
}

/** Which handler names a set of handlers knows. */
export interface HandlerLookup {
  action(name: string): boolean;
  compensation(name: string): boolean;
}

/**
 * Compensations (with `compensations`, the default) and actions (with `actions`) `plan` names that
 * `has` does not know, as `action 'x'` / `compensation 'y'`, each once. The one walk of a plan's
 * handlers: this node's (below) and other nodes' advertised ones (`capable-nodes.ts`).
 */
export function missingIn(plan: Plan, actions: boolean, has: HandlerLookup, compensations = true): string[] {
  const missing: string[] = [];
  const check = (step: PlanActionStep | PlanParallelStep) => {
    if (actions && step.kind === 'action' && step.action !== 'delay' && !has.action(step.action)) {
      missing.push(`action '${step.action}'`);
    }
    if (compensations && step.compensation && !has.compensation(step.compensation)) {
      missing.push(`compensation '${step.compensation}'`);
    }
  };
  for (const step of plan.steps) {
    if (step.kind === 'condition') continue;
    check(step);
    if (step.kind === 'parallel') for (const branch of step.branches) check(branch);
  }
  // Each once, in the order first named: steps often share an action or a compensation.
  return [...new Set(missing)];
}

/**
 * Compensations (with `compensations`, the default) and actions (with `actions`) `plan` names that
 * have no handler here (built-ins count as present).
 */
export function missingHandlers(
  ctx: EngineContext,
  plan: Plan,
  actions: boolean,
  compensations = true,
): string[] {
  return missingIn(
    plan,
    actions,
    {
      action: (name) => ctx.actions.get(name) !== undefined,
      compensation: (name) => ctx.errorRecovery.getCompensation(name) !== undefined,
    },
    compensations,
  );
}

/** Whether an execution will only compensate (a cancel was requested, or it is compensating). */
export function onlyCompensates(record: ExecutionRecord): boolean {
  return record.cancelRequested || record.status === 'compensating';
}

/**
 * What an execution in the state of `record` needs of `plan` that this node lacks. With
 * `enableCompensation: false` this node runs no compensation of an execution that fails or is
 * cancelled here, so only one already compensating (an earlier process began its saga) needs them.
 * A pending execution (it never started: no step ran) whose cancel was requested needs nothing: it
 * ends cancelled, with nothing to compensate.
 */
export function missingFor(ctx: EngineContext, plan: Plan, record: ExecutionRecord): string[] {
  if (record.status === 'pending' && record.cancelRequested) return [];
  const compensations = ctx.config.enableCompensation || record.status === 'compensating';
  return missingHandlers(ctx, plan, !onlyCompensates(record), compensations);
}

export class UnrunnableVersions {
  private readonly entries = new Map<string, Entry>();
  private readonly ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  /**
   * Remembers that this node lacks handlers of a version (`plan` null: it cannot read it, or with
   * `missing` no definition of it is stored); true when it was not known yet.
   */
  add(workflowId: string, version: number, plan: Plan | null, missing = false): boolean {
    const key = `${version}:${workflowId}`;
    if (this.entries.has(key)) return false;
    const waitMs = this.ctx.config.sweepInterval * 1000;
    this.entries.set(key, {
      workflowId,
      version,
      plan,
      missing: missing ? { readAt: this.ctx.clock.now(), waitMs } : null,
    });
    return true;
  }

  /**
   * Reads again the definitions found missing whose wait is over (`read` answers undefined while
   * none is stored; a read that fails counts as that). A version whose definition is found is
   * forgotten: its executions are claimable here again (if this node cannot run them after all, the
   * claim remembers the version again). One still missing waits twice as long, up to a minute.
   */
  async reread(read: (workflowId: string, version: number) => Promise<unknown>): Promise<void> {
    for (const [key, e] of this.entries) {
      const m = e.missing;
      if (!m || !intervalPassed(this.ctx.clock.now(), m.readAt, m.waitMs)) continue;
      const found = await read(e.workflowId, e.version).then(
        (entry) => entry !== undefined,
        () => false,
      );
      if (found) {
        this.entries.delete(key);
        this.ctx.logger.info(
          { workflowId: e.workflowId, version: e.version },
          'definition of this workflow version now stored; its executions are claimed here again',
        );
        continue;
      }
      const longest = Math.max(MAX_REREAD_MS, this.ctx.config.sweepInterval * 1000);
      e.missing = { readAt: this.ctx.clock.now(), waitMs: Math.min(m.waitMs * 2, longest) };
    }
  }

  /**
   * The versions claims must skip, as handlers stand now; versions whose handlers all arrived are
   * forgotten (their executions are claimable here again).
   */
  skipped(): SkippedVersion[] {
    const skip: SkippedVersion[] = [];
    for (const [key, e] of this.entries) {
      if (e.plan === null) {
        skip.push({ workflowId: e.workflowId, version: e.version, compensates: false });
        continue;
      }
      if (missingHandlers(this.ctx, e.plan, true).length === 0) {
        this.entries.delete(key);
        this.ctx.logger.info(
          { workflowId: e.workflowId, version: e.version },
          'handlers now present; executions of this workflow version are claimed here again',
        );
        continue;
      }
      const compensates = missingHandlers(this.ctx, e.plan, false).length === 0;
      // Running no compensation here (`enableCompensation: false`), only the compensating ones need
      // the compensations that are missing: the others are claimed (see `missingFor`).
      const runs =
        !this.ctx.config.enableCompensation && missingHandlers(this.ctx, e.plan, true, false).length === 0;
      skip.push({ workflowId: e.workflowId, version: e.version, compensates, ...(runs ? { runs } : {}) });
    }
    return skip;
  }
}
