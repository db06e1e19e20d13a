/**
 * The invariants the saga crash fuzz test (saga-fuzz.test.ts) checks once every execution ended:
 * from the journal of handler calls and the store as each stopped process left it and at the end.
 * @module
 */
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { type ExecutionPlan, type JournalLine, STEPS, type StepName } from './saga-fuzz-plan.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** What the checks look at. */
export interface FuzzRun {
  plans: ExecutionPlan[];
  journal: JournalLine[];
  /** The store after each killed process (index: its run), before the next one started. */
  afterRun: Map<string, ExecutionSnapshot>[];
  /** The store at the end. */
  final: Map<string, ExecutionSnapshot>;
  /** Executions whose cancellation the parent requested through the store. */
  storeCancelled: Set<string>;
}

/** How an execution ends by its plan alone: the first step that fails for good or cancels. */
function naturalEnd(plan: ExecutionPlan): {
  status: 'completed' | 'failed' | 'cancelled';
  before: StepName[];
} {
  for (const [k, step] of STEPS.entries()) {
    if (plan.cancelAt === step) return { status: 'cancelled', before: STEPS.slice(0, k) };
    if (plan.fail === step) return { status: 'failed', before: STEPS.slice(0, k) };
  }
  return { status: 'completed', before: [...STEPS] };
}

/** Checks every invariant; calls `fail` once per violation. */
export function checkFuzzRun(run: FuzzRun, fail: (msg: string) => void): void {
  const { plans, journal, afterRun, final, storeCancelled } = run;

  // One execution per idempotency key, whichever process submitted it.
  const idOf = new Map<number, string>();
  for (const l of journal) {
    if (l.t !== 'accepted') continue;
    const seen = idOf.get(l.i!);
    if (seen && seen !== l.exec) fail(`execution ${l.i} accepted as ${seen} and as ${l.exec}`);
    idOf.set(l.i!, l.exec);
  }
  if (final.size !== plans.length) fail(`${final.size} executions stored, ${plans.length} submitted`);

  // What an earlier process stored as completed does not run again in a later one.
  for (const [r, snap] of afterRun.entries()) {
    const done = new Set<string>();
    const undone = new Set<string>();
    for (const s of snap.values())
      for (const st of s.steps) {
        if (st.status === 'completed' && st.completionSeq !== null) done.add(`${st.executionId}:${st.name}`);
        // A compensation stored as ended (done, or failed for good) does not run again either.
        const end = st.compensation?.status;
        if (end === 'completed' || end === 'failed') undone.add(`${st.executionId}:${st.name}:compensate`);
      }
    for (const l of journal) {
      if (l.run <= r) continue;
      if (l.t === 'call' && done.has(l.key!))
        fail(`run ${l.run}: ${l.key} ran again, stored completed by run ${r}`);
      if (l.t === 'comp' && undone.has(l.key!))
        fail(`run ${l.run}: compensation ${l.key} ran again, stored completed by run ${r}`);
    }
  }

  // Once `close` is called, no step and no compensation starts in that process.
  const closedRuns = new Set<number>();
  for (const l of journal) {
    if (l.t === 'close') closedRuns.add(l.run);
    else if ((l.t === 'call' || l.t === 'comp') && closedRuns.has(l.run))
      fail(`run ${l.run}: ${l.t} ${l.key}#${l.attempt} started after close was called`);
  }

  for (const plan of plans) {
    const id = idOf.get(plan.i);
    const snap = id ? final.get(id) : undefined;
    if (!id || !snap) {
      fail(`execution ${plan.i} (${id}) not stored`);
      continue;
    }
    checkExecution(
      plan,
      snap,
      journal.filter((l) => l.exec === id && l.t !== 'accepted'),
      storeCancelled.has(id),
      fail,
    );
  }
}

function checkExecution(
  plan: ExecutionPlan,
  snap: ExecutionSnapshot,
  lines: JournalLine[],
  cancelRequested: boolean,
  fail: (msg: string) => void,
): void {
  const ex = snap.execution;
  const at = `execution ${plan.i} (${ex.id}, ${JSON.stringify({ ...plan, ms: undefined })}${cancelRequested ? ', cancelled through the store' : ''})`;
  if (!TERMINAL.has(ex.status)) {
    fail(`${at} ended ${ex.status}`);
    return;
  }
  const natural = naturalEnd(plan);
  if (ex.status !== natural.status && !(cancelRequested && ex.status === 'cancelled'))
    fail(`${at} ended ${ex.status}, expected ${natural.status}${cancelRequested ? ' or cancelled' : ''}`);
  if (ex.status === 'failed' && ex.error?.code !== 'BOOM')
    fail(`${at} failed with ${JSON.stringify(ex.error)}`);
  for (const st of snap.steps)
    if (!TERMINAL.has(st.status)) fail(`${at}: step ${st.name} left ${st.status} in a finished execution`);

  // Steps stored as completed, latest first: the order their compensations must run in.
  const completed = snap.steps
    .filter((st) => st.status === 'completed' && st.completionSeq !== null)
    .sort((a, b) => b.completionSeq! - a.completionSeq!)
    .map((st) => st.name);
  const prefix = STEPS.slice(0, completed.length).reverse();
  if (completed.join() !== prefix.join())
    fail(`${at}: steps completed ${completed}, not a prefix of the saga`);
  for (const step of completed)
    if (!lines.some((l) => l.t === 'ok' && l.step === step))
      fail(`${at}: ${step} stored completed, never ran to its end`);
  if (!cancelRequested && ex.status === natural.status && ex.status !== 'completed') {
    const want = [...natural.before].reverse();
    if (completed.join() !== want.join()) fail(`${at}: steps completed ${completed}, expected ${want}`);
  }

  for (const l of lines) {
    const key = l.t.startsWith('comp') ? `${ex.id}:${l.step}:compensate` : `${ex.id}:${l.step}`;
    if (l.key !== key) fail(`${at}: ${l.t} ${l.step} in run ${l.run} had key ${l.key}, not ${key}`);
  }
  // In one process, a step or compensation that ended well is not called again.
  const ended = new Set<string>();
  for (const l of lines) {
    const id = `${l.run}:${l.key}`;
    if ((l.t === 'call' || l.t === 'comp') && ended.has(id))
      fail(`${at}: ${l.key} called again in run ${l.run}`);
    if (l.t === 'ok' || l.t === 'comp-ok' || l.t === 'comp-doom') ended.add(id);
  }
  // No step starts once compensation began.
  const firstComp = lines.findIndex((l) => l.t === 'comp');
  if (firstComp >= 0) {
    const late = lines.slice(firstComp).find((l) => l.t === 'call');
    if (late) fail(`${at}: step ${late.step} started in run ${late.run} after compensation began`);
  }

  const compOrder: string[] = [];
  for (const l of lines) if (l.t === 'comp' && !compOrder.includes(l.step!)) compOrder.push(l.step!);
  if (ex.status === 'completed') {
    if (compOrder.length > 0) fail(`${at} completed but compensated ${compOrder}`);
    if (completed.length !== STEPS.length) fail(`${at} completed with steps ${completed}`);
    return;
  }
  // Compensations ran for exactly the completed steps, latest first, each to success but the one
  // planned to fail for good, which is stored failed (and the others still ran).
  if (compOrder.join() !== completed.join())
    fail(`${at}: compensations ran in order ${compOrder}, steps completed ${completed}`);
  const undone = completed.filter((step) => step !== plan.compDoom);
  if (ex.compensatedSteps.join() !== undone.join())
    fail(`${at}: compensatedSteps ${ex.compensatedSteps}, expected ${undone}`);
  for (const st of snap.steps) {
    const didComplete = completed.includes(st.name);
    if (!didComplete) {
      if (st.compensation) fail(`${at}: ${st.name} did not complete but has a compensation`);
      continue;
    }
    const doomed = plan.compDoom === st.name;
    const want = doomed ? 'failed' : 'completed';
    if (st.compensation?.status !== want || (doomed && st.compensation.error?.code !== 'DOOM'))
      fail(`${at}: compensation of ${st.name} stored ${JSON.stringify(st.compensation)}, expected ${want}`);
    const ok = lines.some((l) => l.t === 'comp-ok' && l.step === st.name);
    if (ok === doomed) fail(`${at}: compensation of ${st.name} ${doomed ? 'succeeded' : 'never succeeded'}`);
  }
}
