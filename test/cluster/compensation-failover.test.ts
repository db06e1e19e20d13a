/**
 * Failover during compensation (SPEC §3 saga, §6 on several nodes): a node is killed with SIGKILL
 * while it compensates; the survivor takes its executions over and finishes their compensation
 * from the stored position: every completed step (parallel branches included) compensated to
 * completion, newest completion first, with the compensated visit's key; a compensation whose
 * completion was stored before the kill does not run again; one the kill cut short runs again
 * under the same key; no step that did not complete is compensated.
 */
import { describe, expect, it } from 'vitest';
import { allTerminal, cluster, type LedgerLine, until } from './harness.js';

const PER_NODE = 12;

describe('a node killed with SIGKILL while it compensates', () => {
  it('leaves the survivor to finish each compensation from where it stopped', async () => {
    const c = await cluster();
    const settings = { stepMs: 80, maxConcurrentWorkflows: 20 };
    const [a, victim] = await Promise.all([c.start('a', settings), c.start('victim', settings)]);
    const ids = (await Promise.all([a, victim].map((n) => n.submit('saga', PER_NODE)))).flatMap((s) => s.ids);

    // Kill once the victim finished some compensations and has others under way.
    const compensating = (lines: LedgerLine[]) => {
      const open = new Set<string>();
      let ended = 0;
      for (const l of lines) {
        if (l.pid !== victim.pid) continue;
        if (l.kind === 'cstart') open.add(l.key);
        if (l.kind === 'cend') {
          open.delete(l.key);
          ended++;
        }
      }
      return ended >= 4 && open.size > 0;
    };
    await until(() => compensating(c.readLedger()), 'the victim to be compensating');
    victim.child.kill('SIGKILL');
    await victim.exited;
    // What was stored first, then the ledger's length: a compensation the survivor runs of its own
    // executions meanwhile, stored as completed after its start, then lies before `atKill` (read
    // the other way round, a slow read let such a run count as run again after it was stored).
    const stored = await c.snapshots(ids);
    const atKill = c.readLedger().length;

    await until(() => allTerminal(c.view, ids.length), 'every execution to end on the survivor', 60_000);
    const ledger = c.readLedger();
    const snaps = await c.snapshots(ids);
    const problems: string[] = [];
    const compLines = ledger.filter((l) => l.kind === 'cstart' || l.kind === 'cend');
    let rerun = 0;
    for (const id of ids) {
      const snap = snaps.get(id)!;
      const e = snap.execution;
      if (e.status !== 'failed' || e.error?.code !== 'BOOM') problems.push(`${id} ended ${e.status}`);
      const done = snap.steps
        .filter((s) => s.status === 'completed' && s.completionSeq !== null)
        .sort((x, y) => y.completionSeq! - x.completionSeq!);
      const names = done.map((s) => s.name);
      if (JSON.stringify(e.compensatedSteps) !== JSON.stringify(names))
        problems.push(`${id} compensated ${e.compensatedSteps} expected ${names}`);
      for (const s of done) {
        if (s.compensation?.status !== 'completed')
          problems.push(`${id}:${s.name} compensation ${s.compensation?.status}`);
      }
      const keys = new Set(done.map((s) => `${id}:${s.name}:compensate`));
      const mine = compLines.filter((l) => l.exec === id);
      for (const l of mine)
        if (!keys.has(l.key)) problems.push(`${id}: compensated ${l.key}, not a completed step`);
      // The last completed run of each compensation, in ledger order, is newest completion first.
      const lastEnd = new Map<string, number>();
      mine.forEach((l, i) => {
        if (l.kind === 'cend') lastEnd.set(l.key, i);
      });
      const order = [...lastEnd.entries()].sort((x, y) => x[1] - y[1]).map(([k]) => k);
      if (JSON.stringify(order) !== JSON.stringify([...keys]))
        problems.push(`${id}: ran ${order}, expected ${[...keys]}`);
      // Stored as completed before the kill: not run again after it.
      const before = stored.get(id);
      for (const s of before?.steps ?? []) {
        if (s.compensation?.status !== 'completed') continue;
        const key = `${id}:${s.name}:compensate`;
        if (ledger.slice(atKill).some((l) => l.kind === 'cstart' && l.key === key))
          problems.push(`${key} ran again`);
      }
      // Cut short by the kill: run again, same key, on the survivor.
      const started = new Set(
        mine.filter((l) => l.pid === victim.pid && l.kind === 'cstart').map((l) => l.key),
      );
      const ended = new Set(mine.filter((l) => l.pid === victim.pid && l.kind === 'cend').map((l) => l.key));
      for (const key of started) {
        if (ended.has(key)) continue;
        rerun++;
        if (!mine.some((l) => l.pid === a.pid && l.kind === 'cend' && l.key === key))
          problems.push(`${key} not run again`);
      }
    }
    expect(problems).toEqual([]);
    expect(rerun, 'compensations cut short by the kill').toBeGreaterThan(0);
  }, 90_000);
});
