/**
 * A stalled node (a "zombie"): SIGSTOP one of three engine processes while it runs steps, keep it
 * stopped past its lease so the others take its executions over, then SIGCONT it. Its handlers
 * finish late, but fencing refuses every write it makes with its old lease epoch: each step's
 * completion is recorded exactly once, by a survivor, under the survivor's epoch. The zombie logs
 * that it lost the leases, starts no further work on the executions it lost (unless a survivor
 * hands one back over to it once it is live again, through a claim under a newer epoch), and every
 * execution completes — counted once, as completed, by every node's metrics.
 */
import { describe, expect, it } from 'vitest';
import { cluster, isStopped, type LedgerLine, until } from './harness.js';

const N = 60;
const LEASE_S = 2;

describe('a node stalled past its lease', () => {
  it('is fenced off: its late completions are refused and the others finish its work', async () => {
    const c = await cluster();
    // Handlers that ignore their abort signal: the zombie's in-flight calls run to their end and
    // try to record their results late. Few slots, so each node also holds queued executions.
    const settings = { honourAbort: false, stepMs: 250, maxConcurrentWorkflows: 5, leaseSeconds: LEASE_S };
    const [a, b, zombie] = await Promise.all([
      c.start('a', settings),
      c.start('b', settings),
      c.start('zombie', settings),
    ]);
    for (const node of [a, b, zombie]) {
      await until(async () => (await node.view()).workers.length === 3, `${node.label} to see 3 nodes`);
    }
    const { ids } = await a.submit('three_steps', N);

    // Stop the zombie while it has handlers in flight (and some of its steps already recorded).
    const open = (lines: LedgerLine[], pid: number) => {
      const set = new Map<string, LedgerLine>();
      for (const l of lines) {
        if (l.pid !== pid) continue;
        const key = `${l.exec}:${l.step}:${l.attempt}`;
        // These handlers ignore their signal: only 'end' closes a call ('abort' just notes the signal).
        if (l.kind === 'start') set.set(key, l);
        else if (l.kind === 'end') set.delete(key);
      }
      return [...set.values()];
    };
    await until(() => {
      const lines = c.readLedger();
      return (
        lines.some((l) => l.pid === zombie.pid && l.kind === 'end') && open(lines, zombie.pid).length > 0
      );
    }, 'the zombie to run steps');
    zombie.child.kill('SIGSTOP');
    await until(() => isStopped(zombie.pid), 'the zombie to stop');
    const stoppedAt = Date.now();
    const inFlight = open(c.readLedger(), zombie.pid);
    expect(inFlight.length).toBeGreaterThan(0);
    const unfinished = async () =>
      (await c.view.listExecutions({ limit: 1000 })).filter(
        (s) => !['completed', 'failed', 'cancelled'].includes(s.execution.status),
      );
    const held = new Map(
      (await unfinished())
        .filter((s) => s.execution.owner === zombie.nodeId)
        .map((s) => [s.execution.id, s.execution.epoch]),
    );
    expect(held.size).toBeGreaterThan(0);

    // The others take over everything the zombie held once its leases expire.
    await until(
      async () => (await c.view.listOwned(zombie.nodeId, 1000)).length === 0,
      'the survivors to take over the zombie executions',
    );
    const takenAt = Date.now();
    expect(takenAt - stoppedAt, 'takeover waited for the lease').toBeGreaterThanOrEqual(LEASE_S * 1000 * 0.6);
    // Keep it stopped until its heartbeat is older than a lease: the others no longer count it.
    await until(async () => {
      const view = await a.view();
      return (
        !view.workers.includes(zombie.nodeId) && view.nodes.some((n) => n.id === zombie.nodeId && !n.alive)
      );
    }, 'the zombie to drop out of the live nodes');

    // Taken before the signal: the zombie may write its first lines within the same millisecond.
    const resumedAt = Date.now();
    zombie.child.kill('SIGCONT');
    await until(
      async () => (await c.view.countExecutions({ status: 'completed' })) === N,
      'every execution to complete',
    );
    // Its handlers that were in flight run to their end; their results are refused.
    await until(() => open(c.readLedger(), zombie.pid).length === 0, 'the zombie handlers to end');
    await until(
      () => c.nodeLog('zombie').some((l) => l.msg?.includes('lease lost')),
      'the zombie to log the lost leases',
    );
    await until(
      async () => (await zombie.view()).local.running === 0,
      'the zombie to let go of its executions',
    );
    // Every node's metrics, the zombie's too, count each execution once: completed, none running.
    for (const node of [a, b, zombie]) {
      let last = '';
      await until(
        async () => {
          const e = (await node.view()).executions;
          last = JSON.stringify(e);
          return e.total === N && e.completed === N && e.running === 0 && e.pending === 0;
        },
        () => `${node.label} to count ${N} completed executions (last counted: ${last})`,
      );
    }

    const ledger = c.readLedger();
    const snaps = await c.snapshots(ids);
    const survivors = new Set([a.pid, b.pid]);

    // Every execution completed; each one the zombie held runs on a survivor under a newer epoch,
    // unless a survivor handed it back over to the zombie once that was live again (a queued one:
    // `backlog-shedding.ts`), through a claim of its own, under a newer epoch still.
    const handedBack = new Set<string>();
    for (const id of ids) {
      const snap = snaps.get(id)!;
      expect(snap.execution.status).toBe('completed');
      expect(snap.steps.map((s) => s.completionSeq).sort()).toEqual([1, 2, 3]);
      for (const step of snap.steps) expect(step.visits).toBe(1);
      const epoch = held.get(id);
      const onZombie = snap.execution.workerId === zombie.nodeId;
      if (epoch === undefined) {
        // One it ran to its end before the stall, or a survivor's handed over to it after it.
        if (onZombie && snap.execution.completedAt! > stoppedAt) handedBack.add(id);
        continue;
      }
      if (onZombie) {
        expect(snap.execution.epoch).toBeGreaterThanOrEqual(epoch + 2);
        handedBack.add(id);
      } else expect(snap.execution.epoch).toBeGreaterThan(epoch);
    }

    // The zombie's late completions: its handlers ended after SIGCONT, but what is stored for
    // those steps is a survivor's completion (the stored output names the process that ran it).
    // A handler in flight at SIGSTOP ended after SIGCONT even if its line carries an earlier time:
    // the stop can fall between taking the time and writing the line.
    const keyOf = (l: LedgerLine) => `${l.exec}:${l.step}:${l.attempt}`;
    const inFlightKeys = new Set(inFlight.map(keyOf));
    const late = ledger.filter(
      (l) =>
        l.pid === zombie.pid &&
        l.kind === 'end' &&
        (inFlightKeys.has(keyOf(l)) || (l.at >= resumedAt && !handedBack.has(l.exec))),
    );
    expect(late.length, 'late completions of the zombie').toBeGreaterThan(0);
    // Every handler in flight at SIGSTOP is among them: none could end while the node was stopped.
    const lateKeys = new Set(late.map(keyOf));
    for (const l of inFlight) expect(lateKeys.has(`${l.exec}:${l.step}:${l.attempt}`)).toBe(true);
    for (const l of late) {
      const step = snaps.get(l.exec)!.steps.find((s) => s.name === l.step)!;
      expect(step.status).toBe('completed');
      expect(survivors.has((step.output as { pid: number }).pid), `${l.exec}:${l.step}`).toBe(true);
    }
    // The zombie noticed its stall at its first sweep after SIGCONT and stopped what it had lost
    // (logged as 'lease lost'). A handler it starts after SIGCONT but before that can only be one
    // it had already decided to start when the signal stopped it, between the lease check and the
    // call; from then on it starts nothing of the work it lost.
    const zombieLog = c.nodeLog('zombie');
    const noticedAt = Math.min(
      ...zombieLog.filter((l) => l.msg?.includes('lease lost')).map((l) => l.at as number),
    );
    const lost = new Set(held.keys());
    const restarted = ledger.filter(
      (l) =>
        l.pid === zombie.pid &&
        l.kind === 'start' &&
        l.at >= resumedAt &&
        lost.has(l.exec) &&
        !(handedBack.has(l.exec) && l.at > noticedAt),
    );
    for (const l of restarted)
      expect(l.at, `${l.exec}:${l.step} started after noticing`).toBeLessThanOrEqual(noticedAt);
    expect(restarted.length).toBeLessThanOrEqual(settings.maxConcurrentWorkflows);

    // Per step: no process ran it twice; every run used the same idempotency key; what is stored
    // is the completion of the survivor that ran it (or the zombie's, recorded before the stall).
    const runs = new Map<string, LedgerLine[]>();
    for (const l of ledger) {
      if (l.kind !== 'start') continue;
      runs.set(`${l.exec}:${l.step}`, [...(runs.get(`${l.exec}:${l.step}`) ?? []), l]);
    }
    for (const [key, list] of runs) {
      const [exec, name] = key.split(':') as [string, string];
      const stored = snaps.get(exec)!.steps.find((s) => s.name === name)!;
      const pids = list.map((r) => r.pid);
      expect(new Set(pids).size, `${key} ran twice on one process`).toBe(pids.length);
      expect(new Set(list.map((r) => r.key)).size).toBe(1);
      const bySurvivor = list.filter((r) => survivors.has(r.pid));
      const recorded = (stored.output as { pid: number }).pid;
      if (bySurvivor.length > 0) expect(recorded).toBe(bySurvivor[bySurvivor.length - 1]!.pid);
      else expect(recorded).toBe(zombie.pid);
      for (const r of list) {
        if (r.pid === zombie.pid && !handedBack.has(exec)) {
          expect(r.at < stoppedAt || r.at <= noticedAt, key).toBe(true);
        }
      }
    }
    // And it said so: each execution whose late result it dropped is logged as lost (or, if the
    // server had ended its stalled session meanwhile, as a failed write it leaves to the owner).
    const lostLogged = new Set(
      zombieLog
        .filter((l) => l.msg?.includes('lease lost') || l.msg?.includes('store write failed'))
        .map((l) => l.executionId as string),
    );
    for (const l of late) expect(lostLogged.has(l.exec), l.exec).toBe(true);
    console.info(
      `stalled node: ${held.size} executions taken over ${takenAt - stoppedAt} ms after SIGSTOP; ` +
        `${late.length} late completions refused; all done ${Date.now() - resumedAt} ms after SIGCONT`,
    );
  }, 120_000);
});
