/**
 * Database connections cut under load: two engine processes run 400 executions (and more if this
 * process fell behind them) while every
 * server session of theirs (pool and LISTEN connection) is terminated, five times over. Writes in
 * flight fail, the executions they belonged to are abandoned and taken up again from the store,
 * the notification listener reconnects, no process dies, and every execution completes with each
 * step's completion recorded once.
 */
import { describe, expect, it } from 'vitest';
import { withClient } from '../store/pg-fixture.js';
import { cluster, until } from './harness.js';

// Five cuts, each after 40 more step completions, must hit a running system: 400 executions × 3
// steps of 100 ms on 2 × 20 slots take at least 3 s, five rounds about 0.5 s. A loaded machine
// can keep this process off the CPU for seconds while the nodes run on, so a round that finds
// fewer than 120 step runs left (3 rounds of the slots) adds 100 executions first.
const FIRST = 400;
const MIN_LEFT = 120;
const TOP_UP = 100;

describe('connections terminated while the nodes run', () => {
  it('loses no execution and no process', async () => {
    const c = await cluster();
    const settings = { stepMs: 100, maxConcurrentWorkflows: 20 };
    const [a, b] = await Promise.all([c.start('a', settings), c.start('b', settings)]);
    await Promise.all([a.submit('three_steps', FIRST / 2), b.submit('three_steps', FIRST / 2)]);
    const endCount = () => c.readLedger().filter((l) => l.kind === 'end').length;
    let submittedRuns = FIRST * 3;
    /**
     * Adds executions on either node. Right after a cut a submission may fail with the store
     * unavailable (as any client's would) and the execution may or may not be stored: every one
     * stored is checked at the end, so it is tried again until one node took its share.
     */
    const topUp = async () => {
      for (let tries = 0; tries < 50; tries++) {
        const done = await Promise.allSettled([
          a.submit('three_steps', TOP_UP / 2),
          b.submit('three_steps', TOP_UP / 2),
        ]);
        const ok = done.filter((d) => d.status === 'fulfilled').length;
        submittedRuns += ok * (TOP_UP / 2) * 3;
        if (ok > 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no node took new executions after 50 tries');
    };

    let cuts = 0;
    let sessions = 0;
    await withClient(async (admin) => {
      for (let round = 0; round < 5; round++) {
        // Wait for fresh progress between cuts, so each one hits a running system. (Repeated runs
        // end too, so the ends can pass the runs submitted: the work may have ended meanwhile,
        // when this process was kept off the CPU while submitting; the cut then finds it idle.)
        if (submittedRuns - endCount() < MIN_LEFT) await topUp();
        const ends = endCount();
        await until(
          () => {
            if (!a.running || !b.running) throw new Error(`a node died:\n${a.log}\n${b.log}`);
            const now = endCount();
            return now >= ends + 40 || now >= submittedRuns;
          },
          () =>
            `progress between cuts (round ${round}: ${endCount()} step runs ended of ${submittedRuns} submitted, ${ends} at the round's start)`,
        );
        const killed = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name IN ($1, $2) AND pid <> pg_backend_pid()`,
          [`orchestrator:${c.schema}`, `orchestrator-listen:${c.schema}`],
        );
        sessions += killed.rowCount ?? 0;
        cuts++;
      }
    });
    expect(sessions).toBeGreaterThan(cuts);

    // Every execution stored, those of a submission that failed during a cut included.
    const ids = (await c.view.listExecutions({ limit: 10_000 })).map((snap) => snap.execution.id);
    expect(ids.length).toBeGreaterThanOrEqual(FIRST);
    await until(
      async () => (await c.view.countExecutions({ status: 'completed' })) === ids.length,
      'every execution to complete',
      90_000,
    );
    expect(a.running && b.running, `${a.log}\n${b.log}`).toBe(true);
    const snaps = await c.snapshots(ids);
    const ledger = c.readLedger();
    const ended = new Set(ledger.filter((l) => l.kind === 'end').map((l) => `${l.exec}:${l.step}:${l.pid}`));
    for (const id of ids) {
      const snap = snaps.get(id)!;
      expect(snap.execution.status).toBe('completed');
      expect(snap.steps.map((s) => s.completionSeq).sort()).toEqual([1, 2, 3]);
      for (const step of snap.steps) {
        expect(step.visits).toBe(1);
        // What is recorded is the result of a run that ended, by the process that ran it.
        const pid = (step.output as { pid: number }).pid;
        expect(ended.has(`${id}:${step.name}:${pid}`)).toBe(true);
      }
    }
    // Every run of a step used the same idempotency key.
    const keys = new Map<string, Set<string>>();
    for (const l of ledger) {
      const k = `${l.exec}:${l.step}`;
      keys.set(k, (keys.get(k) ?? new Set()).add(l.key));
    }
    for (const set of keys.values()) expect(set.size).toBe(1);
    // The nodes still see each other (heartbeats and the cluster view recovered).
    for (const node of [a, b]) {
      await until(async () => (await node.view()).workers.length === 2, `${node.label} to see both nodes`);
    }
    const reruns = ledger.filter((l) => l.kind === 'start').length - ids.length * 3;
    console.info(
      `connection loss: ${cuts} cuts, ${sessions} sessions terminated, ${reruns} step runs repeated`,
    );
  }, 120_000);
});
