/**
 * Database connections cut under load: two engine processes run 400 executions while every
 * server session of theirs (pool and LISTEN connection) is terminated, five times over. Writes in
 * flight fail, the executions they belonged to are abandoned and taken up again from the store,
 * the notification listener reconnects, no process dies, and every execution completes with each
 * step's completion recorded once.
 */
import { describe, expect, it } from 'vitest';
import { withClient } from '../store/pg-fixture.js';
import { cluster, until } from './harness.js';

// Enough work that five cuts, each after 40 more step completions, hit a running system: 400
// executions × 3 steps of 100 ms on 2 × 20 slots take at least 3 s, five rounds about 0.5 s.
const TOTAL = 400;

describe('connections terminated while the nodes run', () => {
  it('loses no execution and no process', async () => {
    const c = await cluster();
    const settings = { stepMs: 100, maxConcurrentWorkflows: 20 };
    const [a, b] = await Promise.all([c.start('a', settings), c.start('b', settings)]);
    const submitted = await Promise.all([
      a.submit('three_steps', TOTAL / 2),
      b.submit('three_steps', TOTAL / 2),
    ]);
    const ids = submitted.flatMap((s) => s.ids);

    let cuts = 0;
    let sessions = 0;
    await withClient(async (admin) => {
      for (let round = 0; round < 5; round++) {
        // Wait for fresh progress between cuts, so each one hits a running system.
        const ends = c.readLedger().filter((l) => l.kind === 'end').length;
        await until(() => {
          if (!a.running || !b.running) throw new Error(`a node died:\n${a.log}\n${b.log}`);
          return c.readLedger().filter((l) => l.kind === 'end').length >= ends + 40;
        }, 'progress between cuts');
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

    await until(
      async () => (await c.view.countExecutions({ status: 'completed' })) === TOTAL,
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
    const reruns = ledger.filter((l) => l.kind === 'start').length - TOTAL * 3;
    console.info(
      `connection loss: ${cuts} cuts, ${sessions} sessions terminated, ${reruns} step runs repeated`,
    );
  }, 120_000);
});
