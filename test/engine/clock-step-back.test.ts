/**
 * Housekeeping that runs "at most once per interval" after its last run must not stop for the size
 * of a system clock step back (an NTP correction, a VM resumed from a snapshot): the last run then
 * lies in the future, and waiting for the clock to pass it again left, for a day's step, a day of
 * stale definitions (another node's new version never started here), stale store-wide metrics,
 * and leases stored a day ahead (a node that died then held its executions for a day).
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { DefinitionRegistry } from '../../src/engine/definitions.js';
import { OthersRefresh } from '../../src/engine/others-refresh.js';
import { FakeClock } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { nextTurn, tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

const DAY_MS = 86_400_000;

/** A clock whose time the test sets (timers are not used here). */
function steppedClock(start: number): Clock & { t: number } {
  const clock = {
    t: start,
    now: () => clock.t,
    setTimer: () => ({ cancel() {} }),
    sleep: async () => {},
  };
  return clock;
}

const defaults = { retryAttempts: 3, retryDelay: 5, workflowTimeout: 300 };

describe('a system clock stepped back', () => {
  it("does not keep a node from seeing another node's new definition version for the size of the step", async () => {
    const store = new MemoryStore();
    const clock = steppedClock(Date.UTC(2026, 0, 2));
    const here = new DefinitionRegistry(store, defaults, clock, 1000);
    const there = new DefinitionRegistry(store, defaults, clock, 1000);
    await there.define('w', [{ name: 'a' }]);
    expect((await here.latest('w'))?.def.version).toBe(1);
    clock.t -= DAY_MS;
    await there.define('w', [{ name: 'a' }, { name: 'b' }]);
    clock.t += 2000; // past the refresh interval, though not past the last read
    await here.latest('w'); // starts the re-read
    await nextTurn();
    expect((await here.latest('w'))?.def.version).toBe(2);
    await here.refreshAll();
  });

  it('re-lists every definition after the refresh interval', async () => {
    const store = new MemoryStore();
    const clock = steppedClock(Date.UTC(2026, 0, 2));
    const here = new DefinitionRegistry(store, defaults, clock, 1000);
    const there = new DefinitionRegistry(store, defaults, clock, 1000);
    await here.load();
    clock.t -= DAY_MS;
    await there.define('other', [{ name: 'a' }]);
    clock.t += 2000;
    await here.refreshAll();
    expect(here.cachedPlan('other', 1)).toBeDefined();
  });
});

describe('the store-wide metrics of a node whose clock was stepped back', () => {
  it('are re-read after the sweep interval, not after the size of the step', async () => {
    const clock = steppedClock(Date.UTC(2026, 0, 2));
    let reads = 0;
    const ctx = {
      clock,
      config: { sweepInterval: 1 },
      store: {
        durable: true,
        aggregateByWorkflow: async () => {
          reads++;
          return {};
        },
      },
      metrics: { takeOthersMoved: () => true, setOthers() {}, markOthersMoved() {} },
    };
    const refresh = new OthersRefresh(ctx as never);
    await refresh.run();
    await refresh.run(); // within the interval
    expect(reads).toBe(1);
    clock.t -= DAY_MS;
    clock.t += 1500;
    await refresh.run();
    expect(reads).toBe(2);
    await refresh.run(); // within the interval again
    expect(reads).toBe(2);
  });
});

describe('the leases of a node whose clock was stepped back', () => {
  it('are renewed to end a lease from the new time, not the size of the step later', async () => {
    const fake = new FakeClock();
    // Wall time the test steps; timers run on the fake clock's own (monotonic) time, as Node's do.
    let offset = 0;
    const clock: Clock = {
      now: () => fake.now() - offset,
      setTimer: (fn, ms) => fake.setTimer(fn, ms),
      sleep: (ms, signal) => fake.sleep(ms, signal),
    };
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      clock,
      leaseSeconds: 3,
      sweepInterval: 1,
      actions: { hang: (_i, ctx) => untilAborted(ctx.signal) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }], { timeout: 10 * 86_400 });
    const id = await orch.workflowEngine.executeWorkflow('w');
    await fake.advance(2000);
    offset = DAY_MS;
    await fake.advance(2000);
    const stored = (await orch.store.getExecution(id))?.execution;
    // A node that died now would otherwise hold its executions for a day.
    expect((stored?.leaseUntil ?? 0) - clock.now()).toBeLessThanOrEqual(3000);
  });
});
