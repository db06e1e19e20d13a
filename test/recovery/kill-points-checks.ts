/**
 * The invariants the kill-point test checks after each resume (see kill-points.test.ts): the
 * store before and after the last resume, and the ledger of what the handlers did.
 * @module
 */
import type { ExecutionStatus, StepDefinition } from '../../src/index.js';
import type { ExecutionSnapshot, StepRecord } from '../../src/store/store.js';
import { FLOWS, type LedgerLine } from './kill-points-flows.js';

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** The idempotency key a step record's handler calls carry. */
export function keyOf(rec: StepRecord): string {
  const name = rec.of ?? rec.name;
  return rec.visits > 1 ? `${rec.executionId}:${name}#${rec.visits}` : `${rec.executionId}:${name}`;
}

/**
 * Fails for each handler call or compensation in `lines` (a later run) whose completion `before`
 * (the store after the earlier run) holds. Returns the idempotency keys of the completed steps.
 */
export function checkNoRerun(
  before: Map<string, ExecutionSnapshot>,
  lines: LedgerLine[],
  fail: (msg: string) => void,
): Set<string> {
  const committed = new Set<string>();
  const compCommitted = new Set<string>();
  for (const snap of before.values()) {
    for (const st of snap.steps) {
      if (st.status === 'completed' && st.completionSeq !== null) committed.add(keyOf(st));
      if (st.compensation?.status === 'completed') compCommitted.add(`${keyOf(st)}:compensate`);
    }
  }
  for (const l of lines) {
    if (l.t === 'call' && committed.has(l.key!)) fail(`${l.key} ran again after its completion was stored`);
    if (l.t === 'comp' && compCommitted.has(l.key!)) fail(`compensation ${l.key} ran again`);
  }
  return committed;
}

/** Whether step `name` of `flow` is an action step run by one of the ledger's handlers. */
function handlerStep(flow: string, name: string): boolean {
  const def = FLOWS.find((f) => f.id === flow);
  const all = ((def?.steps ?? []) as StepDefinition[]).flatMap((s): StepDefinition[] =>
    s.parallel !== undefined ? [s, ...s.parallel] : [s],
  );
  const step = all.find((s) => s.name === name);
  return Boolean(
    step && step.parallel === undefined && step.condition === undefined && step.action !== 'delay',
  );
}

/** What one kill-and-resume run left. */
export interface RunRecord {
  /** The store before and after the last resume, by execution id. */
  before: Map<string, ExecutionSnapshot>;
  after: Map<string, ExecutionSnapshot>;
  /** Statuses the last resume waited for. */
  statuses: Map<string, ExecutionStatus>;
  /** The ledger before the last resume, after it, and both. */
  phase1: LedgerLine[];
  phase2: LedgerLine[];
  all: LedgerLine[];
  /** Keys of the steps completed before the last resume. */
  committed: Set<string>;
}

/** Checks every execution's end, compensations, re-runs, stored times, attempts and status. */
export function checkExecutions(run: RunRecord, fail: (msg: string) => void): void {
  const { before, after, statuses, phase1, phase2, all, committed } = run;
  for (const [id, snap] of after) {
    const flow = snap.execution.workflowId;
    const prior = before.get(id);
    const status = statuses.get(id);
    const e = snap.execution;
    if (!TERMINAL.has(e.status)) {
      fail(`${flow} ${id} ended ${e.status}`);
      continue;
    }
    const tag = `${flow} ${id}`;
    // Expected outcome.
    const expectStatus = (want: string, code?: string) => {
      if (e.status !== want || (code && e.error?.code !== code))
        fail(`${tag}: ${e.status} ${JSON.stringify(e.error)}, expected ${want} ${code ?? ''}`);
    };
    if (flow === 'kp_retry' || flow === 'kp_idem') expectStatus('completed');
    if (flow === 'kp_saga' || flow === 'kp_loop') expectStatus('failed', 'BOOM');
    if (flow === 'kp_deadline') {
      expectStatus('failed', 'WORKFLOW_TIMEOUT');
      if (e.completedAt! < e.deadlineAt!) fail(`${tag} timed out before its deadline`);
    }
    if (flow === 'kp_cancel') {
      const stored = phase1.some((l) => l.t === 'cancel-stored' && l.exec === id);
      if (stored) expectStatus('cancelled');
      else if (e.status !== 'cancelled' && e.status !== 'completed') fail(`${tag} ended ${e.status}`);
    }
    if (flow === 'kp_cancel_local') {
      const acked = phase1.some((l) => l.t === 'cancel-acked' && l.exec === id);
      const applied =
        prior && (prior.execution.status === 'compensating' || prior.execution.status === 'cancelled');
      if (acked || applied) expectStatus('cancelled');
      else if (e.status !== 'cancelled' && e.status !== 'completed') fail(`${tag} ended ${e.status}`);
    }

    // Compensation: reverse completion order, completed steps only, each run to completion once.
    const withComp = (st: StepRecord) => {
      const def = FLOWS.find((f) => f.id === flow)!;
      const name = st.of ?? st.name;
      const all = (def.steps as StepDefinition[]).flatMap((s): StepDefinition[] =>
        s.parallel !== undefined ? [s, ...s.parallel] : [s],
      );
      return Boolean(
        (all.find((s) => s.name === name) as { compensation?: string } | undefined)?.compensation,
      );
    };
    const expected =
      e.status === 'completed'
        ? []
        : snap.steps
            .filter((st) => st.status === 'completed' && st.completionSeq !== null && withComp(st))
            .sort((a, b) => b.completionSeq! - a.completionSeq!);
    const names = expected.map((st) => st.of ?? st.name);
    if (JSON.stringify(e.compensatedSteps) !== JSON.stringify(names))
      fail(`${tag}: compensated ${JSON.stringify(e.compensatedSteps)}, expected ${JSON.stringify(names)}`);
    const compKeys = new Set(expected.map((st) => `${keyOf(st)}:compensate`));
    const compCalls = all.filter((l) => (l.t === 'comp' || l.t === 'comp-ok') && l.exec === id);
    for (const l of compCalls)
      if (!compKeys.has(l.key!)) fail(`${tag}: compensation ${l.key} of a step not completed`);
    // The last successful run of each compensation, in ledger order, follows the expected order.
    const lastOk = new Map<string, number>();
    compCalls.forEach((l, i) => {
      if (l.t === 'comp-ok') lastOk.set(l.key!, i);
    });
    const okOrder = [...lastOk.entries()].sort((a, b) => a[1] - b[1]).map(([key]) => key);
    const wantOrder = expected.map((st) => `${keyOf(st)}:compensate`);
    if (JSON.stringify(okOrder) !== JSON.stringify(wantOrder))
      fail(`${tag}: compensations ran ${JSON.stringify(okOrder)}, expected ${JSON.stringify(wantOrder)}`);
    if (flow === 'kp_loop' && e.status === 'failed') {
      const inputs = expected.map((st) => (st.output as { n: number }).n);
      if (JSON.stringify(inputs) !== '[3,2,1]') fail(`${tag}: loop visits compensated ${inputs}`);
    }

    // An interrupted step runs again, under the same key (unless the execution was ending anyway).
    if (
      prior &&
      !TERMINAL.has(prior.execution.status) &&
      (flow === 'kp_retry' || flow === 'kp_saga' || flow === 'kp_loop')
    ) {
      const ended = new Set(
        phase1.filter((l) => l.t === 'ok' || l.t === 'fail').map((l) => `${l.key}@${l.attempt}`),
      );
      for (const l of phase1) {
        if (l.t !== 'call' || l.exec !== id || ended.has(`${l.key}@${l.attempt}`) || committed.has(l.key!))
          continue;
        if (prior.execution.status === 'compensating') continue;
        if (!phase2.some((p) => p.t === 'call' && p.key === l.key))
          fail(`${tag}: interrupted ${l.key} attempt ${l.attempt} did not run again`);
      }
    }

    // Stored retry times and timers hold across the restart.
    if (prior) {
      for (const st of prior.steps) {
        if (st.status === 'waiting' && st.nextAttemptAt !== null) {
          const next = phase2.find((p) => p.t === 'call' && p.key === keyOf(st));
          if (next && next.at! < st.nextAttemptAt)
            fail(`${tag}: ${st.name} retried ${st.nextAttemptAt - next.at!} ms early`);
        }
        if (st.timerAt !== null && st.status !== 'completed') {
          const now = snap.steps.find((s) => s.name === st.name)!;
          if (now.timerAt !== st.timerAt) fail(`${tag}: ${st.name} timer moved`);
          if (now.status === 'completed' && now.completedAt! < st.timerAt)
            fail(`${tag}: ${st.name} fired early`);
        }
      }
    }

    // Attempts: what the handler last succeeded with is what the record says; never decreasing.
    for (const st of snap.steps) {
      if (st.status !== 'completed' || !handlerStep(flow, st.of ?? st.name)) continue;
      const key = keyOf(st);
      const calls = all.filter((l) => l.t === 'call' && l.key === key);
      for (let i = 1; i < calls.length; i++)
        if (calls[i]!.attempt! < calls[i - 1]!.attempt!) fail(`${tag}: ${key} attempt went back`);
      const lastOkCall = all.filter((l) => l.t === 'ok' && l.key === key).pop();
      if (lastOkCall?.attempt !== st.attempts)
        fail(`${tag}: ${key} completed on attempt ${lastOkCall?.attempt}, recorded ${st.attempts}`);
      if (st.history.length !== Math.min(st.attempts, 50))
        fail(`${tag}: ${key} history ${st.history.length} vs attempts ${st.attempts}`);
      for (let i = 1; i < st.history.length; i++) {
        const prev = st.history[i - 1]!;
        if (prev.retryAt !== undefined && st.history[i]!.startedAt < prev.retryAt)
          fail(`${tag}: ${key} attempt ${i + 1} started before its retry time`);
      }
    }

    // The status agrees with the records.
    if (status) {
      const top = status.steps.filter((s) => s.status === 'completed').length;
      if (status.stepsCompleted !== top)
        fail(`${tag}: stepsCompleted ${status.stepsCompleted} vs ${top} completed steps`);
      if (status.status !== e.status) fail(`${tag}: status ${status.status} vs stored ${e.status}`);
      if (e.status === 'completed' && status.stepsCompleted !== status.totalSteps)
        fail(`${tag}: completed with ${status.stepsCompleted}/${status.totalSteps} steps`);
      for (const s of status.steps) {
        if (e.status !== 'completed' && s.status === 'running') fail(`${tag}: ${s.name} still running`);
      }
    }
  }
}
