/**
 * The cluster chaos fuzz test's checks (cluster-fuzz-checks.ts) on journals written by hand: a run
 * a stopped node had decided on before its SIGSTOP and started only once it was continued (its
 * `start` line between the parent's `cont` and the node's own `resumed`) is not a step run again,
 * unless its result was stored after another node ran the step; one started after `resumed` is.
 */
import { describe, expect, it } from 'vitest';
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { checkClusterRun, stallsOf } from './cluster-fuzz-checks.js';
import type { JournalLine, SeedPlan } from './cluster-fuzz-plan.js';

const A = 1;
const C = 3;
const ID = 'e1';

const plan: SeedPlan = {
  seed: 0,
  honourAbort: false,
  chaos: [],
  execs: [
    {
      i: 0,
      workflow: 'fz_seq',
      at: 0,
      node: 0,
      key: null,
      retryAfter: null,
      cancelAfter: null,
      failAt: null,
      flaky: null,
      ms: 80,
    },
  ],
};

const note = (t: string, pid: number): JournalLine => ({ t, label: pid === A ? 'a' : 'c', pid, at: 0 });
const run = (t: string, pid: number, step: string, tok: string): JournalLine => ({
  ...note(t, pid),
  exec: ID,
  step,
  attempt: 1,
  key: `${ID}:${step}`,
  tok,
});

/** `c` is stopped, `a` runs the whole execution, `c` is continued and starts s1 (as `late` places it). */
function journal(resumedBeforeLateStart: boolean): JournalLine[] {
  const late = [run('start', C, 's1', 'c.1'), note('resumed', C)];
  return [
    note('stop', C),
    run('start', A, 's1', 'a.1'),
    run('end', A, 's1', 'a.1'),
    run('start', A, 's2', 'a.2'),
    run('end', A, 's2', 'a.2'),
    run('start', A, 's3', 'a.3'),
    run('end', A, 's3', 'a.3'),
    note('cont', C),
    ...(resumedBeforeLateStart ? late.reverse() : late),
    run('end', C, 's1', 'c.1'),
  ];
}

function problems(lines: JournalLine[], s1Output: string): string[] {
  const output = (name: string) => ({ tok: name === 's1' ? s1Output : `a.${name.slice(1)}` });
  const snap = {
    execution: {
      id: ID,
      status: 'completed',
      input: { i: 0 },
      idempotencyKey: null,
      error: null,
      compensatedSteps: [],
    },
    steps: ['s1', 's2', 's3'].map((name, k) => ({
      name,
      status: 'completed',
      output: output(name),
      completionSeq: k + 1,
      compensation: undefined,
    })),
  } as unknown as ExecutionSnapshot;
  const found: string[] = [];
  checkClusterRun(
    {
      plan,
      journal: lines,
      final: new Map([[ID, snap]]),
      seen: new Map([[0, { ids: [ID], lost: false, cancelled: null, cancelSent: false }]]),
      committedAt: new Map([[`${ID}:s1`, 3]]),
      terminalAt: new Map([[ID, 7]]),
      stalls: stallsOf(lines),
    },
    (m) => found.push(m),
  );
  return found;
}

describe('the cluster fuzz checks, on a run a stalled node decided on before its stop', () => {
  it('take a start between the cont and the node resuming, its result refused, as in flight', () => {
    expect(stallsOf(journal(false))).toEqual([{ pid: C, stopAt: 0, contAt: 7, resumedAt: 9 }]);
    expect(problems(journal(false), 'a.1')).toEqual([]);
  });

  it('fail it when its late result was stored', () => {
    expect(problems(journal(false), 'c.1')).toEqual([
      expect.stringContaining("s1 stored the stalled node's late result c.1"),
    ]);
  });

  it('fail a start after the node resumed: a step run again after its completion was committed', () => {
    const found = problems(journal(true), 'a.1');
    expect(found).toContainEqual(expect.stringContaining('s1 ran again on c (attempt 1) after s2 started'));
    expect(found).toContainEqual(expect.stringContaining('after its completion was committed'));
    expect(found).toContainEqual(expect.stringContaining('after the execution was stored completed'));
  });

  it('take a node killed before it resumed as having run nothing after its cont', () => {
    const lines = [note('stop', C), note('cont', C), note('kill', C)];
    expect(stallsOf(lines)).toEqual([{ pid: C, stopAt: 0, contAt: 1, resumedAt: 1 }]);
  });
});
