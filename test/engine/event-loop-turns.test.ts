/**
 * The engine lets the event loop turn while it works through a backlog. On the in-memory store,
 * with handlers that do no I/O, a whole execution runs in promise callbacks: without a budget of
 * starts per turn, timers (step timeouts, deadlines, heartbeats) and I/O would wait until the
 * whole backlog had run. Writes a fast step owes (`persistLater`) hold nothing once a later write
 * carried them, however long the loop takes to turn.
 */
import { describe, expect, it } from 'vitest';
import type { ActiveExecution } from '../../src/engine/active-execution.js';
import { OwedWrites } from '../../src/engine/persist.js';
import { LAUNCHES_PER_TURN } from '../../src/engine/scheduler.js';
import { nextTurn, withOrchestrator } from '../helpers/orchestrator.js';

describe('event loop turns under a backlog', () => {
  it('a timer fires while a backlog of no-I/O executions on the memory store is still running', async () => {
    const orch = await withOrchestrator({
      store: 'memory',
      maxConcurrentWorkflows: 1000,
      actions: { a: async () => 1, b: async () => 2, c: async () => 3 },
    });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const total = 3000;
    let finished = 0;
    orch.on('execution.finished', () => {
      finished++;
    });
    let seenByTimer = -1;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        seenByTimer = finished;
        resolve();
      }, 0),
    );
    const ids = await Promise.all(Array.from({ length: total }, () => engine.executeWorkflow('w', {})));
    const statuses = await Promise.all(ids.map((id) => engine.waitForCompletion(id)));
    await timer;
    expect(statuses.every((s) => s.status === 'completed')).toBe(true);
    expect(finished).toBe(total);
    // The timer ran in the middle of the backlog, not after it.
    expect(seenByTimer).toBeGreaterThanOrEqual(0);
    expect(seenByTimer).toBeLessThan(total);
  });

  it('starts at most LAUNCHES_PER_TURN executions per turn; the rest start on later turns, in order', async () => {
    const started: number[] = [];
    const orch = await withOrchestrator({
      store: 'memory',
      maxConcurrentWorkflows: 1000,
      actions: { a: (input) => started.push((input as { n: number }).n) },
    });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'a' }]);
    const total = LAUNCHES_PER_TURN * 2 + 10;
    const ids = await Promise.all(
      Array.from({ length: total }, (_, n) => engine.executeWorkflow('w', { n })),
    );
    // All were created in this turn; only the first budget's worth has started.
    expect(started.length).toBeLessThanOrEqual(LAUNCHES_PER_TURN);
    const waiting = await engine.getExecutionStatus(ids[total - 1]!);
    expect(waiting?.status).toBe('pending');
    await Promise.all(ids.map((id) => engine.waitForCompletion(id)));
    expect(started).toEqual(Array.from({ length: total }, (_, n) => n));
  });
});

describe('OwedWrites', () => {
  const fake = (id: string) => ({ id }) as unknown as ActiveExecution;

  it('writes, in one turn, only the executions still owing when the loop turns', async () => {
    const written: string[] = [];
    const owed = new OwedWrites((ex) => written.push(ex.id));
    const a = fake('a');
    const b = fake('b');
    const c = fake('c');
    owed.owe(a);
    owed.owe(b);
    owed.owe(c);
    owed.owe(a);
    expect(owed.size).toBe(3);
    owed.settled(b);
    expect(owed.size).toBe(2);
    expect(written).toEqual([]);
    await nextTurn();
    expect(written).toEqual(['a', 'c']);
    expect(owed.size).toBe(0);
  });

  it('holds nothing for executions whose owed write was carried by a later write', async () => {
    const written: string[] = [];
    const owed = new OwedWrites((ex) => written.push(ex.id));
    for (let i = 0; i < 1000; i++) {
      const ex = fake(`e${i}`);
      owed.owe(ex);
      owed.settled(ex);
    }
    expect(owed.size).toBe(0);
    await nextTurn();
    expect(written).toEqual([]);
    // A later debt schedules a new turn of its own.
    owed.owe(fake('late'));
    await nextTurn();
    expect(written).toEqual(['late']);
  });
});
