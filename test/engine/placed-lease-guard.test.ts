/**
 * Found by the cluster chaos fuzz (cluster-fuzz.test.ts, seed 2319, CLUSTER_FUZZ_DEBUG: node a,
 * never stopped, logged 'lease lost' for three executions it held itself, and ran their step s3
 * twice). Another node places an execution here with a lease ending a lease after this node's last
 * heartbeat as it read it, which may be earlier than this node's own `LeaseGuard.validUntil` (its
 * last renewal, a lease on). The guard counted every lease held here valid until then: a round
 * between the placed lease's end and the next renewal claimed the execution as an orphan, this
 * node's own, under a new epoch its runner did not hold, and the step it was running ran again.
 * Now adopting a placed execution brings `validUntil` down to its lease: past it, the next round
 * renews first, and runners confirm their leases before they start a handler.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { finishWithClock, gate, memoryLogger, tempDir } from '../helpers/orchestrator.js';
import { placedExecution } from '../store/records.js';

it('an execution placed here with a lease shorter than this node’s is renewed, not claimed again, before it runs out', async () => {
  const clock = new FakeClock();
  const file = join(tempDir(), 'store.sqlite');
  const store = new SqliteStore(file);
  let renewals = 0;
  const renew = store.renewLeases.bind(store);
  store.renewLeases = (owner, until) => {
    renewals++;
    return renew(owner, until);
  };
  const logger = memoryLogger();
  const hold = gate<number>();
  let runs = 0;
  // Leases of 3 s renewed every third (1 s), rounds every 0.2 s.
  const orch = await createOrchestrator({
    store,
    clock,
    logger,
    cluster: true,
    leaseSeconds: 3,
    sweepInterval: 0.2,
    actions: {
      first: () => {
        runs++;
        return hold.promise;
      },
      second: () => 2,
    },
  });
  const other = new SqliteStore(file);
  try {
    await other.init();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'second' }]);
    while (renewals === 0) await clock.advance(10);
    // Right after a renewal, another node places an execution here, with a lease that ends 0.3 s
    // on (it read this node's heartbeat a while ago), long before this node renews again.
    const now = clock.now();
    await other.createExecution(placedExecution('placed', 'w', orch.nodeId, now, now + 300));
    while (runs === 0) await clock.advance(10);
    // Past the placed lease, within this node's renewal period: a round or two.
    for (let t = 0; t < 500; t += 10) await clock.advance(10);
    hold.open(1);
    const status = await finishWithClock(orch, clock, 'placed', { stepMs: 10 });
    expect(status.status).toBe('completed');
    expect(runs, 'runs of the first step').toBe(1);
    expect((await other.getExecution('placed'))?.execution.epoch).toBe(1);
    expect(logger.lines.filter((l) => l.msg?.startsWith('lease lost'))).toEqual([]);
  } finally {
    await orch.close();
    await other.close();
  }
});
