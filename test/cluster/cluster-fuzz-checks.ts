/**
 * The invariants the cluster chaos fuzz test (cluster-fuzz.test.ts) checks once every execution
 * ended: from the journal of handler calls (one total order over all processes), the store at the
 * end, and what the parent saw while it ran (the answers of its calls; the journal position at
 * which it first read each completion in the store).
 * @module
 */
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { type ExecPlan, type JournalLine, ORDER, type SeedPlan } from './cluster-fuzz-plan.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** The fz_saga steps that have a compensation. */
const COMPENSATED = new Set(['s1', 'fan', 'p1', 'p2', 's2', 's3']);

/** What the parent saw of one planned execution. */
export interface Seen {
  /** Every id a submission of it was answered with (the first call, and the retry if any). */
  ids: string[];
  /** A submission that failed (its node died or closed meanwhile): it may or may not be stored. */
  lost: boolean;
  /** The answer of its cancel, null if none came (its node died) or none was sent. */
  cancelled: boolean | null;
  /** Whether a cancel was sent. */
  cancelSent: boolean;
}

/** What the checks look at. */
export interface ClusterRun {
  plan: SeedPlan;
  journal: JournalLine[];
  final: Map<string, ExecutionSnapshot>;
  seen: Map<number, Seen>;
  /** Journal length read right after a store read showed the key (a step's, or `<key>:compensate`) ended. */
  committedAt: Map<string, number>;
  /** Journal length read right after a store read showed the execution terminal. */
  terminalAt: Map<string, number>;
  /**
   * Each SIGSTOP: the stopped pid, and the journal positions of its `stop` and `cont` lines and of
   * its own `resumed` line (written once it runs its code again). A run it started between `cont`
   * and `resumed` was decided on before the stop: the engine checked its lease then, and the stop
   * came before the handler's first line (no engine can close that window; the store refuses the
   * run's result once another node took the execution over).
   */
  stalls: { pid: number; stopAt: number; contAt: number; resumedAt: number }[];
}

const isRun = (l: JournalLine) => l.t === 'start' || l.t === 'cstart';

/** The SIGSTOPs of a journal (see `ClusterRun.stalls`). */
export function stallsOf(journal: JournalLine[]): ClusterRun['stalls'] {
  return [...journal.entries()]
    .filter(([, l]) => l.t === 'stop')
    .map(([n, l]) => {
      const contAt = journal.findIndex((x, m) => m > n && x.t === 'cont' && x.pid === l.pid);
      const resumedAt = journal.findIndex((x, m) => m > contAt && x.t === 'resumed' && x.pid === l.pid);
      // Never journaled (the node was killed first): it ran nothing after its `cont`.
      return { pid: l.pid, stopAt: n, contAt, resumedAt: contAt < 0 || resumedAt < 0 ? contAt : resumedAt };
    });
}

/** The journal positions of the runs of an execution decided on before a stall (see `ClusterRun.stalls`). */
function decidedBeforeStall(run: ClusterRun, lines: { l: JournalLine; n: number }[]): Set<number> {
  const out = new Set<number>();
  for (const { pid, contAt, resumedAt } of run.stalls)
    for (const { l, n } of lines) if (isRun(l) && l.pid === pid && n > contAt && n < resumedAt) out.add(n);
  return out;
}

/** Checks every invariant; calls `fail` once per violation. */
export function checkClusterRun(run: ClusterRun, fail: (msg: string) => void): void {
  const { plan, journal, final, seen } = run;
  const byInput = new Map<number, ExecutionSnapshot[]>();
  for (const snap of final.values()) {
    const i = (snap.execution.input as { i: number }).i;
    byInput.set(i, [...(byInput.get(i) ?? []), snap]);
  }
  // Once a node was asked to close, it starts nothing more, a parallel step's branch included
  // (README, "close").
  const closedPids = new Set<number>();
  for (const l of journal) {
    if (l.t === 'close') closedPids.add(l.pid);
    else if (isRun(l) && closedPids.has(l.pid))
      fail(`${l.t} ${l.key}#${l.attempt} on ${l.label} (pid ${l.pid}) after its close was called`);
  }
  const lines = new Map<string, { l: JournalLine; n: number }[]>();
  for (const [n, l] of journal.entries()) {
    if (!l.exec) continue;
    lines.set(l.exec, [...(lines.get(l.exec) ?? []), { l, n }]);
  }
  for (const p of plan.execs) {
    const snaps = byInput.get(p.i) ?? [];
    const s = seen.get(p.i);
    const at = `execution ${p.i} (${p.workflow}, key ${p.key}, fail ${p.failAt}, flaky ${p.flaky}${s?.cancelSent ? `, cancel → ${s.cancelled}` : ''})`;
    if (snaps.length > 1) fail(`${at} stored ${snaps.length} times: ${snaps.map((x) => x.execution.id)}`);
    const ids = new Set(s?.ids ?? []);
    if (ids.size > 1) fail(`${at} answered with several ids: ${[...ids]}`);
    const snap = snaps[0];
    if (!snap) {
      if (!s?.lost || ids.size > 0) fail(`${at} not stored (answered ${[...ids]})`);
      continue;
    }
    if (ids.size > 0 && !ids.has(snap.execution.id))
      fail(`${at} answered ${[...ids]}, stored ${snap.execution.id}`);
    if (p.key !== null && snap.execution.idempotencyKey !== p.key)
      fail(`${at} stored with key ${snap.execution.idempotencyKey}`);
    checkExecution(run, p, s, snap, lines.get(snap.execution.id) ?? [], `${at} ${snap.execution.id}`, fail);
  }
  if (final.size > plan.execs.length) fail(`${final.size} executions stored, ${plan.execs.length} planned`);
}

function checkExecution(
  run: ClusterRun,
  p: ExecPlan,
  s: Seen | undefined,
  snap: ExecutionSnapshot,
  lines: { l: JournalLine; n: number }[],
  at: string,
  fail: (msg: string) => void,
): void {
  const ex = snap.execution;
  const id = ex.id;
  if (!TERMINAL.has(ex.status)) {
    fail(`${at} ended ${ex.status}`);
    return;
  }
  const natural = p.failAt ? 'failed' : 'completed';
  const allowed = s?.cancelled === true ? ['cancelled'] : s?.cancelSent ? [natural, 'cancelled'] : [natural];
  if (!allowed.includes(ex.status)) fail(`${at} ended ${ex.status}, expected ${allowed.join(' or ')}`);
  if (ex.status === 'failed' && ex.error?.code !== 'BOOM')
    fail(`${at} failed with ${JSON.stringify(ex.error)}`);
  for (const st of snap.steps)
    if (!TERMINAL.has(st.status) && st.status !== 'skipped')
      fail(`${at}: step ${st.name} left ${st.status} in a finished execution`);

  // The checks of what runs when leave out these (their result is checked below).
  const stale = decidedBeforeStall(run, lines);
  // Every run of a step or compensation carries its key.
  for (const { l } of lines) {
    if (!isRun(l)) continue;
    const key = l.t === 'cstart' ? `${id}:${l.step}:compensate` : `${id}:${l.step}`;
    if (l.key !== key) fail(`${at}: ${l.t} ${l.step} on ${l.label} had key ${l.key}, not ${key}`);
  }
  // Nothing starts once the parent saw the execution terminal.
  const terminalAt = run.terminalAt.get(id);
  for (const { l, n } of lines)
    if (isRun(l) && terminalAt !== undefined && n >= terminalAt && !stale.has(n))
      fail(`${at}: ${l.t} ${l.key}#${l.attempt} on ${l.label} after the execution was stored ${ex.status}`);
  // Nothing runs again once its completion was committed: seen in the store, or proven by the
  // start of a step that runs only after it.
  const starts = lines.filter((x) => x.l.t === 'start' && !stale.has(x.n));
  for (const { step, after } of ORDER[p.workflow]!) {
    const first = starts.find((x) => x.l.step === step);
    if (!first) continue;
    for (const prior of after) {
      const again = starts.find((x) => x.l.step === prior && x.n > first.n);
      if (again)
        fail(
          `${at}: ${prior} ran again on ${again.l.label} (attempt ${again.l.attempt}) after ${step} started`,
        );
    }
  }
  for (const { l, n } of lines) {
    if (!isRun(l) || !l.key || stale.has(n)) continue;
    const committed = run.committedAt.get(l.key);
    if (committed !== undefined && n >= committed)
      fail(
        `${at}: ${l.t} ${l.key}#${l.attempt} on ${l.label} (pid ${l.pid}) after its completion was committed`,
      );
  }
  // A completed step's stored output is the last run's of its key, a run that ended: a node that
  // lost the execution (stalled, killed) had its late result refused.
  const ends = new Set(lines.filter((x) => x.l.t === 'end').map((x) => x.l.tok));
  for (const st of snap.steps) {
    if (st.status !== 'completed' || st.name === 'fan') continue;
    const tok = (st.output as { tok?: string } | null)?.tok;
    // One decided on before a stall counts if its result was stored (checked below).
    const runs = lines.filter(
      (x) => x.l.t === 'start' && x.l.step === st.name && (!stale.has(x.n) || x.l.tok === tok),
    );
    const last = runs[runs.length - 1];
    if (!tok || !ends.has(tok))
      fail(`${at}: ${st.name} stored output ${JSON.stringify(st.output)}, not an ended run's`);
    else if (last && tok !== last.l.tok)
      fail(
        `${at}: ${st.name} stored the result of run ${tok}, the last run was ${last.l.tok} on ${last.l.label}`,
      );
  }
  // A stalled node's run that was in flight when it stopped (or decided on before it) and ended
  // after it resumed, of a step another node ran meanwhile (so took it over, under a newer epoch):
  // its result is stale.
  for (const { stopAt, contAt, resumedAt, pid } of run.stalls) {
    const inFlight = lines.filter(
      (x) => x.l.t === 'start' && x.l.pid === pid && (x.n < stopAt || (x.n > contAt && x.n < resumedAt)),
    );
    for (const r of inFlight) {
      const others = lines.some(
        (x) => x.l.t === 'start' && x.l.step === r.l.step && x.l.pid !== pid && x.n > stopAt,
      );
      if (!others) continue;
      const late = lines.some((x) => x.l.t === 'end' && x.l.tok === r.l.tok && x.n > contAt);
      const stored = snap.steps.some((st) => (st.output as { tok?: string } | null)?.tok === r.l.tok);
      if (late && stored) fail(`${at}: ${r.l.step} stored the stalled node's late result ${r.l.tok}`);
    }
  }
  checkCompensations(p, snap, lines, stale, at, fail);
}

function checkCompensations(
  p: ExecPlan,
  snap: ExecutionSnapshot,
  lines: { l: JournalLine; n: number }[],
  stale: Set<number>,
  at: string,
  fail: (msg: string) => void,
): void {
  const ex = snap.execution;
  const cstarts = lines.filter((x) => x.l.t === 'cstart' && !stale.has(x.n));
  const order: string[] = [];
  for (const { l } of cstarts) if (!order.includes(l.step!)) order.push(l.step!);
  if (p.workflow !== 'fz_saga' || ex.status === 'completed') {
    if (order.length > 0) fail(`${at} ended ${ex.status} but ran compensations ${order}`);
    if (ex.compensatedSteps.length > 0)
      fail(`${at} ended ${ex.status} with compensatedSteps ${ex.compensatedSteps}`);
    return;
  }
  const completed = snap.steps
    .filter((st) => st.status === 'completed' && st.completionSeq !== null && COMPENSATED.has(st.name))
    .sort((a, b) => b.completionSeq! - a.completionSeq!)
    .map((st) => st.name);
  if (order.join() !== completed.join())
    fail(`${at}: compensations ran in order ${order}, steps completed (latest first) ${completed}`);
  if (ex.compensatedSteps.join() !== completed.join())
    fail(`${at}: compensatedSteps ${ex.compensatedSteps}, expected ${completed}`);
  for (const st of snap.steps) {
    const want = completed.includes(st.name) ? 'completed' : undefined;
    if (st.compensation?.status !== want)
      fail(`${at}: compensation of ${st.name} stored ${JSON.stringify(st.compensation)}, expected ${want}`);
  }
  const cends = new Set(lines.filter((x) => x.l.t === 'cend').map((x) => x.l.step));
  for (const name of completed)
    if (!cends.has(name)) fail(`${at}: compensation of ${name} never ran to its end`);
  // No step starts once compensation began; a compensation does not run again once the next one began.
  const firstComp = cstarts[0]?.n ?? Number.POSITIVE_INFINITY;
  for (const { l, n } of lines)
    if (l.t === 'start' && n > firstComp && !stale.has(n))
      fail(`${at}: step ${l.step} started on ${l.label} after compensation began`);
  for (const [k, name] of order.entries()) {
    const next = order[k + 1];
    if (!next) continue;
    const nextAt = cstarts.find((x) => x.l.step === next)!.n;
    const again = cstarts.find((x) => x.l.step === name && x.n > nextAt);
    if (again)
      fail(`${at}: compensation of ${name} ran again on ${again.l.label} after that of ${next} began`);
  }
}
