/**
 * Cluster chaos fuzz (docs/scaling.md, "What is guaranteed"): for each seed, three engine
 * processes on one PostgreSQL schema (2 s leases) run 40 executions of a sequential, a parallel
 * and a saga workflow, submitted to seeded nodes at seeded moments; some under an idempotency key
 * that is sent again to another node (at once, or later), some cancelled through a random node,
 * some failing for good at a step (the sagas compensate), some failing once and retried.
 * Meanwhile, one after the other at seeded moments: a node is killed with SIGKILL and restarted,
 * one is stopped with SIGSTOP until the others took its executions over (past its lease) and then
 * resumed, one is closed gracefully (a seeded grace) and restarted. A submission cut short by a
 * node's death is sent again to another node under its key.
 *
 * The checks (cluster-fuzz-checks.ts): every execution ends as its plan and its cancel say; one
 * execution per idempotency key, whichever nodes answered; nothing whose completion was committed
 * (seen in the store, or proven by a later step's start) runs again, nor anything once the
 * execution is terminal or its node was asked to close; the stored output of each step is the
 * last run's, never a stalled node's late result; compensations run for exactly the completed
 * steps, latest first, each to its end and none again once the next began; while the victim of the
 * kill was down, once the survivors held more executions than one node's slots, each held some
 * (cluster-fuzz-share.ts; before the kill, the fuzz waits until every live node counts the others live).
 *
 * Hunt further with CLUSTER_FUZZ_SEEDS=1,2,3 (each seed a test), CLUSTER_FUZZ_EVENTS=6 (chaos
 * events per seed, 3 by default); CLUSTER_FUZZ_DEBUG=1 prints each seed's events and shares, and
 * keeps the journal and logs of a seed that fails or in which a node never stopped logged a lease
 * loss (no check fails on that alone: on a loaded machine a node's renewals may come late).
 */
import { appendFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { type Phase, withinBudget } from '../helpers/budget.js';
import { checkClusterRun, type Seen, stallsOf } from './cluster-fuzz-checks.js';
import {
  type ExecPlan,
  type JournalLine,
  LABELS,
  readJournal,
  type SeedPlan,
  seedPlan,
  writeJournal,
} from './cluster-fuzz-plan.js';
import { checkShare, type KillWindow, type OwnedRead, ownerPid } from './cluster-fuzz-share.js';
import { type Cluster, cluster, isStopped, type NodeProcess, until } from './harness.js';

const CHILD = join(import.meta.dirname, 'cluster-fuzz-child.ts');
const COUNT = 40;
/** Each node's slots (`maxConcurrentWorkflows`). */
const SLOTS = 8;
const SPAN_MS = 10_000;
const SEEDS = (process.env.CLUSTER_FUZZ_SEEDS ?? '1,2,3').split(',').map(Number);
const DEBUG = Boolean(process.env.CLUSTER_FUZZ_DEBUG);
const EVENTS = Number(process.env.CLUSTER_FUZZ_EVENTS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Each seed's time. */
const BUDGET_MS = 90_000;
/** What the seed is at, for the report of a spent budget (see `overrunReport`). */
const phase: Phase = { now: 'starting' };
let running: Runner | null = null;
/** Set once the budget ran out: the seed's work left running stops polling the store. */
let halted = false;

type State = 'up' | 'down' | 'stopped' | 'closing';

/** The three node slots: which process runs under each label now, and its state. */
class Nodes {
  readonly procs: NodeProcess[] = [];
  readonly state: State[] = ['up', 'up', 'up'];
  constructor(
    private readonly c: Cluster,
    private readonly settings: object,
  ) {}

  async startAll(): Promise<void> {
    this.procs.push(...(await Promise.all(LABELS.map((l) => this.c.start(l, this.settings, CHILD)))));
  }

  async restart(k: number): Promise<void> {
    this.procs[k] = await this.c.start(LABELS[k]!, this.settings, CHILD);
    this.state[k] = 'up';
  }

  /** The first node that is up from slot `k` on, other than `not`. */
  live(k: number, not?: number): number | null {
    for (let d = 0; d < 3; d++) {
      const j = (k + d) % 3;
      if (this.state[j] === 'up' && j !== not) return j;
    }
    return null;
  }
}

interface Runner {
  c: Cluster;
  nodes: Nodes;
  seen: Map<number, Seen>;
  problems: string[];
  note(t: string, k: number): void;
  /** The first kill: the victim's label and the survivors (label, pid), each counting the other live. */
  kill: { victim: string; survivors: { label: string; pid: number }[] } | null;
}

/** Sends `p` to a live node from `k` on; on a node's death (or close) sends it again elsewhere under its key. */
async function submitOnce(r: Runner, p: ExecPlan, k: number, not?: number): Promise<string | null> {
  const s = r.seen.get(p.i)!;
  for (let tries = 0; tries < 20; tries++) {
    const j = r.nodes.live(k + tries, not);
    if (j === null) {
      await sleep(100);
      continue;
    }
    const node = r.nodes.procs[j]!;
    try {
      const input = { i: p.i, ms: p.ms, failAt: p.failAt, flaky: p.flaky };
      const { id } = await node.request<{ id: string }>({
        cmd: 'execute',
        workflow: p.workflow,
        input,
        key: p.key,
      });
      s.ids.push(id);
      return id;
    } catch (error) {
      if (node.running && r.nodes.procs[j] === node && r.nodes.state[j] === 'up') {
        r.problems.push(`execution ${p.i}: refused by ${node.label}, which is up: ${error}`);
        return null;
      }
      s.lost = true;
      if (p.key === null) return null;
    }
  }
  r.problems.push(`execution ${p.i}: no node took it`);
  return null;
}

async function submit(r: Runner, p: ExecPlan, t0: number): Promise<void> {
  await sleep(t0 + p.at - Date.now());
  const first = submitOnce(r, p, p.node);
  // The same key sent to another node: at once (both calls under way together), or later.
  const again =
    p.retryAfter === null
      ? Promise.resolve(null)
      : p.retryAfter === 0
        ? submitOnce(r, p, p.node + 1, p.node)
        : first.then(async () => {
            await sleep(p.retryAfter!);
            return submitOnce(r, p, p.node + 1, p.node);
          });
  const [id] = await Promise.all([first, again]);
  if (id === null || p.cancelAfter === null) return;
  await sleep(p.cancelAfter);
  const j = r.nodes.live(p.i);
  if (j === null) return;
  const s = r.seen.get(p.i)!;
  s.cancelSent = true;
  try {
    s.cancelled = (await r.nodes.procs[j]!.request<{ cancelled: boolean }>({ cmd: 'cancel', id })).cancelled;
  } catch {
    // Its node died or closed before answering: the request may be stored, applied by the next owner.
  }
}

async function chaos(r: Runner, plan: SeedPlan, t0: number): Promise<void> {
  const { c, nodes } = r;
  for (const [n, ev] of plan.chaos.entries()) {
    phase.now = `submitting, and waiting for chaos event ${n} (${ev.kind}) at ${ev.at} ms`;
    await sleep(t0 + ev.at - Date.now());
    const k = nodes.live(ev.node);
    if (k === null) continue;
    const node = nodes.procs[k]!;
    phase.now = `submitting, and in chaos event ${n}: ${ev.kind} ${node.label} (param ${ev.param})`;
    // Before a kill: every live node counts the others live, as after a while they do (a node just
    // restarted or continued is not counted live by the others until they read its heartbeat).
    if (ev.kind === 'kill') await mutuallyLive(r);
    // A kill or stop comes while the node runs a handler (if it gets one within a second).
    if (ev.kind !== 'close') await until(() => openRuns(c, node.pid) > 0, '', 1_000).catch(() => undefined);
    if (DEBUG)
      console.info(
        `${ev.kind} ${node.label}: owns ${(await c.view.listOwned(node.nodeId, 1000)).length}, runs ${openRuns(c, node.pid)}`,
      );
    if (ev.kind === 'kill') {
      const survivors = [0, 1, 2].filter((j) => j !== k && nodes.state[j] === 'up');
      r.kill ??= {
        victim: LABELS[k]!,
        survivors: survivors.map((j) => ({ label: LABELS[j]!, pid: nodes.procs[j]!.pid })),
      };
      nodes.state[k] = 'down';
      r.note('kill', k);
      node.child.kill('SIGKILL');
      await node.exited;
      await sleep(ev.param);
    } else if (ev.kind === 'stop') {
      nodes.state[k] = 'stopped';
      r.note('stop', k);
      node.child.kill('SIGSTOP');
      await until(() => isStopped(node.pid), 'the node to stop');
      const stoppedAt = Date.now();
      // Past its lease: until the others took over everything it owned; or shortly, within it.
      if (ev.param > 0) await sleep(ev.param);
      else
        await until(
          async () => (await c.view.listOwned(node.nodeId, 1000)).length === 0,
          'the others to take over the stopped node executions',
          20_000,
        );
      if (ev.param === 0) await sleep(Math.max(0, 2_300 - (Date.now() - stoppedAt)));
      r.note('cont', k);
      node.child.kill('SIGCONT');
      nodes.state[k] = 'up';
      continue;
    } else {
      nodes.state[k] = 'closing';
      const closed = node.request({ cmd: 'close', grace: ev.param });
      const hung = sleep(20_000).then(() => 'hung');
      if ((await Promise.race([closed.then(() => 'ok'), hung])) === 'hung')
        r.problems.push(`${node.label} did not close within 20 s (grace ${ev.param} s)`);
      await node.exited;
      nodes.state[k] = 'down';
      await sleep(200);
    }
    await nodes.restart(k);
    r.note('up', k);
  }
}

/**
 * Waits until every node that is up lists every other one among its workers; past 20 s that is a
 * problem (live nodes that heartbeat every round count each other live within a round or two).
 */
async function mutuallyLive(r: Runner): Promise<void> {
  const up = () => [0, 1, 2].filter((j) => r.nodes.state[j] === 'up').map((j) => r.nodes.procs[j]!);
  const all = async () => {
    const nodes = up();
    for (const node of nodes) {
      const { workers } = await node.request<{ workers: string[] }>({ cmd: 'workers' });
      if (nodes.some((other) => !workers.includes(other.nodeId))) return false;
    }
    return true;
  };
  const since = Date.now();
  await until(all, 'every live node to count the others live', 20_000).catch((error: Error) =>
    r.problems.push(error.message),
  );
  if (DEBUG) console.info(`every live node counted the others live after ${Date.now() - since} ms`);
}

/** Handler calls of process `pid` started and not ended. */
function openRuns(c: Cluster, pid: number): number {
  const open = new Set<string>();
  for (const l of readJournal(c.ledger)) {
    if (l.pid !== pid || !l.tok) continue;
    if (l.t === 'start' || l.t === 'cstart') open.add(l.tok);
    else if (l.t !== 'abort') open.delete(l.tok);
  }
  return open.size;
}

const owners = new Map<string, string>();

/**
 * Reads the store and, right after, the journal's length: what was ended by then is committed.
 * Adds to `reads` the unfinished executions each owner held.
 */
async function poll(
  c: Cluster,
  committedAt: Map<string, number>,
  terminalAt: Map<string, number>,
  reads: OwnedRead[] = [],
): Promise<ExecutionSnapshot[]> {
  const snaps = await c.view.listExecutions({ limit: 10_000 });
  const n = readJournal(c.ledger).length;
  const owned = new Map<number, number>();
  for (const { execution: ex } of snaps)
    if (ex.owner !== null && !['completed', 'failed', 'cancelled'].includes(ex.status)) {
      const pid = ownerPid(ex.owner);
      owned.set(pid, (owned.get(pid) ?? 0) + 1);
    }
  reads.push({ n, owned });
  if (DEBUG) {
    // Each execution's owner, epoch and lease as read, when they change (kept with the journal).
    for (const { execution: ex } of snaps) {
      const line = `${ex.id} ${ex.status} ${ex.owner} ${ex.epoch} ${ex.leaseUntil}`;
      if (owners.get(ex.id) === line) continue;
      owners.set(ex.id, line);
      appendFileSync(`${c.ledger}.owners`, `${n} ${Date.now()} ${line}\n`);
    }
  }
  for (const { execution: ex, steps } of snaps) {
    if (['completed', 'failed', 'cancelled'].includes(ex.status) && !terminalAt.has(ex.id))
      terminalAt.set(ex.id, n);
    for (const st of steps) {
      const key = `${ex.id}:${st.name}`;
      if (st.status === 'completed' && st.completionSeq !== null && !committedAt.has(key))
        committedAt.set(key, n);
      const comp = st.compensation?.status;
      if ((comp === 'completed' || comp === 'failed') && !committedAt.has(`${key}:compensate`))
        committedAt.set(`${key}:compensate`, n);
    }
  }
  return snaps;
}

/** Starts per label while `from`..`to` (journal positions). */
function shares(journal: JournalLine[], from: number, to: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of journal.slice(from, to)) if (l.t === 'start') out[l.label] = (out[l.label] ?? 0) + 1;
  return out;
}

/**
 * What the seed was waiting for when its budget ran out: the nodes' states, the submissions no
 * node accepted yet, the executions the store has unfinished (owner, steps not completed), and
 * the last journal lines.
 */
async function overrunReport(): Promise<string> {
  const r = running;
  if (!r) return '(the nodes had not started)';
  const states = LABELS.map((l, k) => `${l} ${r.nodes.state[k]}`).join(', ');
  const unaccepted = [...r.seen].filter(([, s]) => s.ids.length === 0).map(([i]) => i);
  const snaps = (await r.c.view.listExecutions({ limit: 10_000 })).filter(
    (x) => !['completed', 'failed', 'cancelled'].includes(x.execution.status),
  );
  const unfinished = snaps.slice(0, 10).map(
    (x) =>
      `${x.execution.id} ${x.execution.status} owner ${x.execution.owner} [${x.steps
        .filter((st) => st.status !== 'completed')
        .map((st) => `${st.name}:${st.status}`)
        .join(' ')}]`,
  );
  const journal = readJournal(r.c.ledger);
  return [
    `nodes: ${states}`,
    `submissions not accepted yet: ${unaccepted.join(', ') || 'none'}`,
    `executions unfinished in the store ${snaps.length}: ${unfinished.join('; ')}`,
    `journal (${journal.length} lines), the last: ${journal
      .slice(-5)
      .map((l) => JSON.stringify(l))
      .join(' ')}`,
  ].join('\n');
}

async function fuzz(seed: number): Promise<string[]> {
  const plan = seedPlan(seed, COUNT, SPAN_MS, EVENTS);
  running = null;
  halted = false;
  phase.now = 'starting the nodes';
  const c = await cluster();
  const nodes = new Nodes(c, { honourAbort: plan.honourAbort, maxConcurrentWorkflows: SLOTS });
  await nodes.startAll();
  const problems: string[] = [];
  const seen = new Map<number, Seen>(
    plan.execs.map((p) => [p.i, { ids: [], lost: false, cancelled: null, cancelSent: false }]),
  );
  const r: Runner = {
    c,
    nodes,
    seen,
    problems,
    note: (t, k) =>
      writeJournal(c.ledger, { t, label: LABELS[k]!, pid: nodes.procs[k]!.pid, at: Date.now() }),
    kill: null,
  };
  const reads: OwnedRead[] = [];
  running = r;
  const committedAt = new Map<string, number>();
  const terminalAt = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling && !halted) {
      // Once halted, the cluster's cleanup closes the store under it.
      await poll(c, committedAt, terminalAt, reads).catch((error) => {
        if (!halted) throw error;
      });
      await sleep(100);
    }
  })();

  const t0 = Date.now();
  await Promise.all([
    ...plan.execs.map((p) => submit(r, p, t0)),
    chaos(r, plan, t0).then(() => {
      phase.now = 'submitting, past the chaos events';
    }),
  ]);
  phase.now = 'waiting for every execution to end';
  await until(
    async () => (await poll(c, committedAt, terminalAt)).every((s) => terminalAt.has(s.execution.id)),
    'every execution to end',
    45_000,
  ).catch((error: Error) => problems.push(error.message));
  // A stalled node's handlers that ignore their signal run on to their end: let them.
  phase.now = 'letting the handlers of a stalled node end';
  await sleep(400);
  polling = false;
  await poller;
  phase.now = 'reading the store and the journal for the checks';
  const final = new Map((await c.view.listExecutions({ limit: 10_000 })).map((s) => [s.execution.id, s]));
  const journal = readJournal(c.ledger);
  const pos = (t: string) => journal.findIndex((l) => l.t === t);
  const stalls = stallsOf(journal);
  checkClusterRun({ plan, journal, final, seen, committedAt, terminalAt, stalls }, (m) =>
    problems.push(`seed ${seed}: ${m}`),
  );

  // The survivors of the kill shared the work while the victim was down, once it was more than one could run.
  const kill = pos('kill');
  if (kill >= 0 && r.kill) {
    const { victim, survivors } = r.kill;
    const back = journal.findIndex((l, n) => n > kill && l.t === 'up' && l.label === victim);
    const window: KillWindow = {
      victim,
      from: kill,
      to: back < 0 ? journal.length : back,
      survivors,
      reads,
      slots: SLOTS,
    };
    checkShare(window, (m) => problems.push(`seed ${seed}: ${m}`));
    if (DEBUG) {
      const most = reads
        .filter((x) => x.n >= window.from && x.n <= window.to)
        .map((x) => survivors.map((s) => x.owned.get(s.pid) ?? 0).join('+'));
      console.info(
        `seed ${seed}: while ${victim} was down: starts ${JSON.stringify(shares(journal, window.from, window.to))}, ` +
          `held by ${survivors.map((s) => s.label).join('+')} at each read: ${most.join(' ')}`,
      );
    }
  }
  // Lease losses logged by a node never stopped (a killed one logs nothing after its kill): none is
  // expected, but one that changed no outcome passes the checks; said, with the logs kept, to look into.
  const stoppedPids = new Set(stalls.map((x) => x.pid));
  const unexplained = DEBUG
    ? LABELS.flatMap((l) =>
        c
          .nodeLog(l)
          .filter((w) => String(w.msg).startsWith('lease lost') && !stoppedPids.has(w.pid as number))
          .map((w) => `${l} (pid ${w.pid}) at ${(w.at as number) - t0} ms: ${w.executionId}`),
      )
    : [];
  if (unexplained.length > 0)
    console.info(`seed ${seed}: lease lost by a node never stopped: ${unexplained.join('; ')}`);
  if (DEBUG && (problems.length > 0 || unexplained.length > 0)) {
    // Kept for a look: the journal and the nodes' logs (the cluster's folder goes with the test).
    const keep = join(tmpdir(), `cluster-fuzz-${seed}-${t0}`);
    cpSync(c.dir, keep, { recursive: true });
    console.info(`seed ${seed}: journal and logs kept in ${keep}`);
  }
  if (DEBUG) {
    const events = journal.filter((l) => !l.exec).map((l) => `${l.t}:${l.label}@${l.at - t0}`);
    const ends = new Map<string, number>();
    for (const s of final.values()) ends.set(s.execution.status, (ends.get(s.execution.status) ?? 0) + 1);
    console.info(
      `seed ${seed} (honourAbort ${plan.honourAbort}): ${final.size} executions ${JSON.stringify(Object.fromEntries(ends))}; ` +
        `${journal.length} lines; events ${events.join(' ')}; all starts ${JSON.stringify(shares(journal, 0, journal.length))}; ` +
        `${Date.now() - t0} ms`,
    );
  }
  return problems;
}

describe('cluster chaos fuzz: SIGKILL, SIGSTOP past the lease and close at seeded moments', () => {
  for (const seed of SEEDS) {
    it(
      `seed ${seed}: ends every execution as planned, each completion and compensation once`,
      async () => {
        // Past the budget, the report says what the seed waited for (the cluster's cleanup kills the nodes).
        const stop = () => {
          halted = true;
        };
        expect(await withinBudget(fuzz(seed), BUDGET_MS, phase, overrunReport, stop)).toEqual([]);
      },
      BUDGET_MS + 15_000,
    );
  }
});
